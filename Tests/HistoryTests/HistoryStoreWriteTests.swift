import LanscopeCore
import Testing

@testable import History

@Suite struct HistoryStoreWriteTests {
    @Test func write_leavesEveryTableUnchanged_whenSameBatchWrittenTwice() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let batch = Fixtures.fullBatch()
        try store.write(batch)
        let first = try store.rowCounts()
        let devicesFirst = try store.devices()
        let evidenceFirst = try store.evidence(for: Fixtures.mac(1))
        try store.write(batch)
        #expect(try store.rowCounts() == first)
        #expect(try store.devices() == devicesFirst)
        #expect(try store.evidence(for: Fixtures.mac(1)) == evidenceFirst)
        // Every table got rows, so the comparison above covers each of them.
        #expect(first.values.allSatisfy { $0 > 0 }, "\(first)")
        #expect(first["devices"] == 3)
        #expect(first["addresses"] == 6)
        #expect(first["services"] == 6)
        #expect(first["anomalies"] == 2)
        #expect(first["traffic_classes"] == 2)
    }

    @Test func devices_roundTripsEveryDeviceField() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        var expected = Fixtures.device(7)
        expected.isDHCPServer = true
        expected.dhcpServerRoles = [.gateway, .separate]
        try store.write(HistoryBatch(devices: [expected]))
        let stored = try #require(try store.device(Fixtures.mac(7)))
        #expect(stored == expected)
        #expect(try store.device(Fixtures.mac(8)) == nil)
    }

    /// Roles only add up, whatever order the writes come in (a replay's flushes, then its final store), so a
    /// restarted service classifies a DHCP server from every role it was ever seen in.
    @Test func write_keepsEveryDHCPServerRoleEverStored() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        var device = Fixtures.device(7)
        device.isDHCPServer = true
        device.dhcpServerRoles = [.separate]
        try store.write(HistoryBatch(devices: [device]))
        device.dhcpServerRoles = [.relay]
        try store.write(HistoryBatch(devices: [device]))
        device.dhcpServerRoles = []
        try store.write(HistoryBatch(devices: [device]))
        #expect(try store.device(Fixtures.mac(7))?.dhcpServerRoles == [.relay, .separate])
        #expect(try store.rowCounts()["dhcp_server_roles"] == 2)
    }

    @Test func devices_returnsSortedByMAC() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(devices: [5, 1, 0xABCDEF, 3].map { Fixtures.device($0) }))
        #expect(try store.devices().map(\.mac) == [1, 3, 5, 0xABCDEF].map { Fixtures.mac($0) })
    }

    @Test func write_mergesTimesAndKeepsNewerHostname_whenDeviceSeenAgain() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        var older = Device(mac: Fixtures.mac(1), firstSeen: Fixtures.time(100), lastSeen: Fixtures.time(200))
        older.hostname = "old-name"
        older.hostnameSource = .dhcp
        older.vendor = "Old Vendor"
        older.addresses[.v4(IPv4Address(10, 0, 0, 1))] =
            AddressRecord(firstSeen: Fixtures.time(100), lastSeen: Fixtures.time(200), source: .arp)
        older.services = [ServiceAdvertisement(via: .mdns, type: "_ipp._tcp", name: "Printer", port: 631)]
        older.isDHCPServer = true

        var newer = Device(mac: Fixtures.mac(1), firstSeen: Fixtures.time(150), lastSeen: Fixtures.time(300))
        newer.hostname = "new-name"
        newer.hostnameSource = .mdns
        newer.addresses[.v4(IPv4Address(10, 0, 0, 1))] =
            AddressRecord(firstSeen: Fixtures.time(250), lastSeen: Fixtures.time(300), source: .dhcp)
        newer.addresses[.v4(IPv4Address(10, 0, 0, 2))] =
            AddressRecord(firstSeen: Fixtures.time(290), lastSeen: Fixtures.time(300), source: .arp)
        newer.services = [ServiceAdvertisement(via: .mdns, type: "_http._tcp", name: "Printer", port: 80)]

        try store.write(HistoryBatch(devices: [older]))
        try store.write(HistoryBatch(devices: [newer]))
        let merged = try #require(try store.device(Fixtures.mac(1)))
        #expect(merged.firstSeen == Fixtures.time(100))
        #expect(merged.lastSeen == Fixtures.time(300))
        #expect(merged.hostname == "new-name")
        #expect(merged.hostnameSource == .mdns)
        #expect(merged.vendor == "Old Vendor")  // newer had none: the stored one stays
        #expect(merged.isDHCPServer)  // never switched off by a device value without the flag
        #expect(merged.addresses.count == 2)
        let first = try #require(merged.addresses[.v4(IPv4Address(10, 0, 0, 1))])
        #expect(first == AddressRecord(firstSeen: Fixtures.time(100), lastSeen: Fixtures.time(300), source: .dhcp))
        #expect(merged.services.map(\.type).sorted() == ["_http._tcp", "_ipp._tcp"])

        // An older value arriving late never overwrites a newer hostname; a nil never erases one.
        var late = Device(mac: Fixtures.mac(1), firstSeen: Fixtures.time(50), lastSeen: Fixtures.time(60))
        late.hostname = "stale-name"
        late.hostnameSource = .nbns
        try store.write(HistoryBatch(devices: [late]))
        var anonymous = Device(mac: Fixtures.mac(1), firstSeen: Fixtures.time(400), lastSeen: Fixtures.time(500))
        anonymous.vendor = "New Vendor"
        try store.write(HistoryBatch(devices: [anonymous]))
        let final = try #require(try store.device(Fixtures.mac(1)))
        #expect(final.firstSeen == Fixtures.time(50))
        #expect(final.lastSeen == Fixtures.time(500))
        #expect(final.hostname == "new-name")
        #expect(final.hostnameSource == .mdns)
        #expect(final.vendor == "New Vendor")
    }

    @Test func write_keepsNewerDHCPFingerprint_whenOlderArrivesLater() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        var newer = Device(mac: Fixtures.mac(2), firstSeen: Fixtures.time(0), lastSeen: Fixtures.time(100))
        newer.dhcp = DHCPClientFingerprint(messageType: 3, parameterRequestList: [1, 3, 6], vendorClass: "new")
        var older = Device(mac: Fixtures.mac(2), firstSeen: Fixtures.time(0), lastSeen: Fixtures.time(50))
        older.dhcp = DHCPClientFingerprint(
            messageType: 1, parameterRequestList: [1, 3], vendorClass: "old",
            clientIdentifier: [1, 2], maxMessageSize: 576)
        try store.write(HistoryBatch(devices: [newer]))
        try store.write(HistoryBatch(devices: [older]))
        #expect(try store.device(Fixtures.mac(2))?.dhcp == newer.dhcp)
    }

    @Test func write_sumsTrafficOverCaptureKeys_andReplacesSameKey() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(1)
        try store.write(
            HistoryBatch(
                devices: [Fixtures.device(1)], capture: Fixtures.capture("file-a"),
                traffic: [mac: Fixtures.counters(txPackets: 10, txBytes: 1000)]))
        try store.write(
            HistoryBatch(
                capture: Fixtures.capture("run-b"),
                traffic: [mac: Fixtures.counters(txPackets: 1, txBytes: 60, rxPackets: 2, rxBytes: 120)]))
        // The live run's counters are cumulative: a later write for the same key replaces them.
        try store.write(
            HistoryBatch(
                capture: Fixtures.capture("run-b", packets: 300),
                traffic: [mac: Fixtures.counters(txPackets: 3, txBytes: 180, rxPackets: 4, rxBytes: 240)]))
        let traffic = try #require(try store.device(mac)).traffic
        #expect(traffic.transmittedPackets == 13)
        #expect(traffic.transmittedBytes == 1180)
        #expect(traffic.receivedPackets == 4)
        #expect(traffic.receivedBytes == 240)
        #expect(
            traffic.byClass[TrafficClass(direction: .transmitted, family: .ipv4, l4: .udp)]
                == PacketByteCount(packets: 13, bytes: 1180))
        #expect(
            traffic.byClass[TrafficClass(direction: .received, family: .ipv6, l4: .tcp)]
                == PacketByteCount(packets: 4, bytes: 240))
        #expect(try store.captures().map(\.captureKey) == ["file-a", "run-b"])
        #expect(try store.captures().last?.packets == 300)
        // A re-ingestion keeps the first ingestion time.
        try store.write(HistoryBatch(capture: Fixtures.capture("file-a", ingested: 5000)))
        #expect(try store.captures().first { $0.captureKey == "file-a" }?.ingestedAt == Fixtures.time(1000))
    }

    /// A capture stored again replaces its traffic classes: one the new counters lack is gone. A capture
    /// new to the store has no classes to clear (and another capture's stay).
    @Test func write_sameCaptureAgain_replacesItsTrafficClasses() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(1)
        let received = TrafficClass(direction: .received, family: .ipv6, l4: .tcp)
        try store.write(
            HistoryBatch(
                devices: [Fixtures.device(1)], capture: Fixtures.capture("file-a"),
                traffic: [mac: Fixtures.counters(txPackets: 1, txBytes: 100, rxPackets: 2, rxBytes: 200)]))
        try store.write(
            HistoryBatch(
                capture: Fixtures.capture("file-b"),
                traffic: [mac: Fixtures.counters(txPackets: 5, txBytes: 500, rxPackets: 6, rxBytes: 600)]))
        #expect(try store.device(mac)?.traffic.byClass[received] == PacketByteCount(packets: 8, bytes: 800))
        try store.write(
            HistoryBatch(
                capture: Fixtures.capture("file-a"), traffic: [mac: Fixtures.counters(txPackets: 3, txBytes: 300)]))
        let traffic = try #require(try store.device(mac)).traffic
        #expect(traffic.byClass[received] == PacketByteCount(packets: 6, bytes: 600))
        #expect(
            traffic.byClass[TrafficClass(direction: .transmitted, family: .ipv4, l4: .udp)]
                == PacketByteCount(packets: 8, bytes: 800))
    }

    @Test func write_storesFullUInt64Counters() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(1)
        let big = UInt64.max - 7
        try store.write(
            HistoryBatch(
                devices: [Fixtures.device(1)], capture: Fixtures.capture("k"),
                traffic: [mac: Fixtures.counters(txPackets: big, txBytes: big)]))
        #expect(try store.device(mac)?.traffic.transmittedBytes == big)
    }

    @Test func write_throwsAndStoresNothing_whenTrafficHasNoCapture() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let batch = HistoryBatch(
            devices: [Fixtures.device(1)],
            traffic: [Fixtures.mac(1): Fixtures.counters(txPackets: 1, txBytes: 1)])
        #expect(throws: HistoryError.trafficWithoutCapture) { try store.write(batch) }
        #expect(try store.devices().isEmpty)
    }

    @Test func write_countsEvidenceOncePerObservation_andNotOnReplay() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(4)
        let observations = [10, 20, 30].map {
            Observation(mac: mac, time: Fixtures.time($0), fact: .hostname("tv", via: .mdns))
        }
        try store.write(HistoryBatch(observations: observations))
        try store.write(HistoryBatch(observations: observations))
        let records = try store.evidence(for: mac)
        #expect(
            records == [
                EvidenceRecord(
                    kind: .hostname, source: .mdns, value: "tv", firstSeen: Fixtures.time(10),
                    lastSeen: Fixtures.time(30), count: 3)
            ])
        // Observations create the device row they belong to.
        let device = try #require(try store.device(mac))
        #expect(device.firstSeen == Fixtures.time(10))
        #expect(device.lastSeen == Fixtures.time(30))
        // A later sighting extends the window and the count.
        try store.write(
            HistoryBatch(observations: [
                Observation(mac: mac, time: Fixtures.time(40), fact: .hostname("tv", via: .mdns))
            ]))
        #expect(try store.evidence(for: mac).first?.count == 4)
        // One earlier than the window counts; one inside the window is taken as already counted.
        try store.write(
            HistoryBatch(
                observations: [5, 25].map {
                    Observation(mac: mac, time: Fixtures.time($0), fact: .hostname("tv", via: .mdns))
                }))
        let widened = try #require(try store.evidence(for: mac).first)
        #expect(widened.count == 5)
        #expect(widened.firstSeen == Fixtures.time(5))
    }

    @Test func evidence_rendersEachFactKindStably() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(9)
        let facts: [Fact] = [
            .address(.v6(try #require(IPv6Address("fe80::1"))), via: .ndp),
            .hostname("kitchen", via: .dhcp),
            .dhcpClient(
                DHCPClientFingerprint(
                    messageType: 1, parameterRequestList: [1, 3, 6], vendorClass: "MSFT 5.0",
                    clientIdentifier: [0x01, 0xAA], maxMessageSize: 1500,
                    requestedAddress: IPv4Address(192, 168, 1, 20))),
            .dhcpServer(serverIdentifier: IPv4Address(192, 168, 1, 1), messageType: 2),
            .service(ServiceAdvertisement(via: .mdns, type: "_ipp._tcp", name: "HP", port: 631)),
            .service(ServiceAdvertisement(via: .ssdp, type: "upnp:rootdevice")),
            .searching(target: "ssdp:all", via: .ssdp),
            .software("Linux/5.10 UPnP/1.0", via: .ssdp),
        ]
        // The same client in a REQUEST for another address, and a server reply without option 54.
        let more: [Fact] = [
            .dhcpClient(
                DHCPClientFingerprint(
                    messageType: 3, parameterRequestList: [1, 3, 6], vendorClass: "MSFT 5.0",
                    clientIdentifier: [0x01, 0xAA], maxMessageSize: 1500,
                    requestedAddress: IPv4Address(192, 168, 1, 21))),
            .dhcpServer(serverIdentifier: IPv4Address(192, 168, 1, 1), messageType: 5),
            .dhcpServer(serverIdentifier: nil, messageType: 6),
        ]
        try store.write(
            HistoryBatch(observations: (facts + more).map { Observation(mac: mac, time: Fixtures.time(1), fact: $0) }))
        let rendered = try store.evidence(for: mac).map { "\($0.kind.rawValue) \($0.source.rawValue) \($0.value)" }
        #expect(
            rendered == [
                "address ndp fe80::1",
                "dhcp_client dhcp 55=1,3,6;57=1500;60=MSFT 5.0;61=01aa",
                "dhcp_server dhcp 54=",
                "dhcp_server dhcp 54=192.168.1.1",
                "hostname dhcp kitchen",
                "searching ssdp ssdp:all",
                "service mdns _ipp._tcp|HP|631",
                "service ssdp upnp:rootdevice||",
                "software ssdp Linux/5.10 UPnP/1.0",
            ])
    }

    @Test func pruneEvidence_deletesOnlyRowsLastSeenBeforeCutoff() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(1)
        try store.write(
            HistoryBatch(observations: [
                Observation(mac: mac, time: Fixtures.time(10), fact: .hostname("old", via: .nbns)),
                Observation(mac: mac, time: Fixtures.time(100), fact: .hostname("kept", via: .mdns)),
                Observation(mac: mac, time: Fixtures.time(50), fact: .hostname("exact", via: .dhcp)),
            ]))
        #expect(try store.pruneEvidence(olderThan: Fixtures.time(50)) == 1)
        #expect(try store.evidence(for: mac).map(\.value) == ["exact", "kept"])
        #expect(try store.pruneEvidence(olderThan: Fixtures.time(50)) == 0)
        #expect(try store.device(mac) != nil)
    }

    @Test func anomalies_returnsNewestFirst_filteredBySinceAndLimit() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let events = [40, 10, 30, 20, 50].map { Fixtures.anomaly(at: Int64($0), summary: "event \($0)") }
        try store.write(HistoryBatch(anomalies: events))
        try store.write(HistoryBatch(anomalies: events))
        #expect(
            try store.anomalies(since: nil, limit: nil).map(\.summary)
                == ["event 50", "event 40", "event 30", "event 20", "event 10"])
        #expect(
            try store.anomalies(since: Fixtures.time(30), limit: nil).map(\.summary) == [
                "event 50", "event 40", "event 30",
            ])
        #expect(try store.anomalies(since: nil, limit: 2).map(\.summary) == ["event 50", "event 40"])
        #expect(try store.anomalies(since: Fixtures.time(25), limit: 1).map(\.summary) == ["event 50"])
        #expect(try store.anomalies(since: nil, limit: 0).isEmpty)
        #expect(try store.anomalies(since: Fixtures.time(51), limit: nil).isEmpty)
        #expect(try store.anomalies(since: nil, limit: 1).first == events[4])
    }

    @Test func anomalies_keepsOneRowPerIdentity_includingEventsWithoutMAC() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let withoutMAC = Fixtures.anomaly(at: 1, kind: .rogueDHCP, mac: nil, summary: "second DHCP server")
        let sameTimeOtherMAC = Fixtures.anomaly(
            at: 1, kind: .rogueDHCP, mac: Fixtures.mac(2), summary: "second DHCP server")
        try store.write(HistoryBatch(anomalies: [withoutMAC, sameTimeOtherMAC]))
        try store.write(HistoryBatch(anomalies: [withoutMAC, sameTimeOtherMAC]))
        let stored = try store.anomalies(since: nil, limit: nil)
        #expect(stored.count == 2)
        #expect(Set(stored) == [withoutMAC, sameTimeOtherMAC])
    }
}
