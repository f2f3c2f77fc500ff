import LanscopeCore

@testable import History

/// Builders for batches the store tests write.
enum Fixtures {
    static let t0 = Timestamp(seconds: 1_700_000_000)

    static func time(_ seconds: Int64) -> Timestamp { Timestamp(seconds: 1_700_000_000 + seconds) }

    static func mac(_ n: Int) -> MACAddress {
        MACAddress(rawValue: 0x3C22_FB00_0000 | UInt64(n & 0xFF_FFFF))
    }

    /// A device with one of everything.
    static func device(_ n: Int, first: Int64 = 0, last: Int64 = 60, hostname: String? = "host") -> Device {
        var device = Device(mac: mac(n), firstSeen: time(first), lastSeen: time(last))
        let v4 = IPAddress.v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32(n & 0xFFFF)))
        device.addresses[v4] = AddressRecord(firstSeen: time(first), lastSeen: time(last), source: .arp)
        if let v6 = IPv6Address("fe80::\(String(n & 0xFFFF, radix: 16))") {
            device.addresses[.v6(v6)] = AddressRecord(firstSeen: time(first), lastSeen: time(last), source: .ndp)
        }
        if let hostname {
            device.hostname = "\(hostname)-\(n)"
            device.hostnameSource = .dhcp
            device.hostnames[.dhcp] = "\(hostname)-\(n)"
            device.hostnames[.mdns] = "\(hostname)-\(n).local"
        }
        device.vendor = "Apple, Inc."
        device.dhcp = DHCPClientFingerprint(
            messageType: 3, parameterRequestList: [1, 121, 3, 6, 15, 119, 252],
            vendorClass: "android-dhcp-13", clientIdentifier: [1, 0x3C, 0x22, 0xFB, 0, 0, 1],
            maxMessageSize: 1500, requestedAddress: IPv4Address(10, 0, 0, 1))
        device.services = [
            ServiceAdvertisement(
                via: .mdns, type: "_airplay._tcp", name: "Living Room", port: 7000,
                txt: [TXTEntry(key: "model", value: "AppleTV6,2"), TXTEntry(key: "flag", value: nil)]),
            ServiceAdvertisement(
                via: .ssdp, type: "urn:schemas-upnp-org:device:MediaRenderer:1",
                location: "http://10.0.0.1:49152/desc.xml", server: "Linux/5.10 UPnP/1.0"),
        ]
        device.software[.http] = "Mozilla/5.0"
        device.protocols = [.arp, .dhcp, .mdns]
        return device
    }

    static func observations(for n: Int, at seconds: Int64) -> [Observation] {
        let mac = mac(n)
        return [
            Observation(
                mac: mac, time: time(seconds), fact: .address(.v4(IPv4Address(10, 0, 0, UInt8(n & 0xFF))), via: .arp)),
            Observation(mac: mac, time: time(seconds), fact: .hostname("host-\(n)", via: .dhcp)),
            Observation(
                mac: mac, time: time(seconds),
                fact: .dhcpClient(
                    DHCPClientFingerprint(
                        messageType: 1, parameterRequestList: [1, 3, 6], vendorClass: "MSFT 5.0"))),
        ]
    }

    static func counters(txPackets: UInt64, txBytes: UInt64, rxPackets: UInt64 = 0, rxBytes: UInt64 = 0)
        -> TrafficCounters
    {
        var counters = TrafficCounters()
        counters.transmittedPackets = txPackets
        counters.transmittedBytes = txBytes
        counters.receivedPackets = rxPackets
        counters.receivedBytes = rxBytes
        counters.byClass[TrafficClass(direction: .transmitted, family: .ipv4, l4: .udp)] =
            PacketByteCount(packets: txPackets, bytes: txBytes)
        if rxPackets > 0 {
            counters.byClass[TrafficClass(direction: .received, family: .ipv6, l4: .tcp)] =
                PacketByteCount(packets: rxPackets, bytes: rxBytes)
        }
        return counters
    }

    static func capture(_ key: String, packets: UInt64 = 100, ingested: Int64 = 1000) -> CaptureRecord {
        CaptureRecord(
            captureKey: key, source: "/captures/\(key).pcap", firstPacket: time(0), lastPacket: time(60),
            packets: packets, ingestedAt: time(ingested))
    }

    static func anomaly(
        at seconds: Int64, kind: AnomalyKind = .newDevice, mac: MACAddress? = mac(1),
        summary: String = "new device"
    ) -> AnomalyEvent {
        AnomalyEvent(
            time: time(seconds), kind: kind, severity: .info, mac: mac, summary: summary,
            details: ["ip": "10.0.0.1", "vendor": "Apple, Inc."])
    }

    /// A batch touching every table.
    static func fullBatch(devices count: Int = 3) -> HistoryBatch {
        HistoryBatch(
            devices: (1...count).map { n in
                var device = device(n)
                if n == 1 { device.isDHCPServer = true; device.dhcpServerRoles = [.gateway] }
                return device
            },
            observations: (1...count).flatMap { observations(for: $0, at: 10) + observations(for: $0, at: 20) },
            anomalies: [anomaly(at: 5), anomaly(at: 6, kind: .portScan, mac: nil, summary: "scan")],
            capture: capture("sha256-aaaa"),
            traffic: [mac(1): counters(txPackets: 10, txBytes: 1000, rxPackets: 5, rxBytes: 400)])
    }
}

extension HistoryStore {
    /// Rows per table, for the replay tests.
    func rowCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in [
            "devices", "addresses", "hostnames", "software", "protocols", "services", "evidence", "captures",
            "traffic", "traffic_classes", "anomalies", "dhcp_server_roles",
        ] {
            counts[table] = Int(try database.scalarInteger("SELECT count(*) FROM \(table)") ?? -1)
        }
        return counts
    }

    /// `sqlite_master` as stable text: one entry per object, ordered by type and name.
    func schemaDump() throws -> String {
        var out = ""
        try prepared("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").query { row in
            out += "-- \(row.text(0)) \(row.text(1)) on \(row.text(2))\n"
            out += (row.optionalText(3) ?? "(no sql)") + ";\n\n"
        }
        out += "-- user_version \(try database.scalarInteger("PRAGMA user_version") ?? -1)\n"
        return out
    }
}
