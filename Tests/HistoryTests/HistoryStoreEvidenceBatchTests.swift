import LanscopeCore
import Testing

@testable import History

/// A batch writes each evidence row once, with the count the observations would have reached written
/// one at a time in time order (the per-observation rule `HistoryStore.write` documents). These
/// tests hold the grouped write to that rule: the same observations written one per batch, in time
/// order, must leave the same rows.
@Suite struct HistoryStoreEvidenceBatchTests {
    static let mac = Fixtures.mac(7)

    static func observation(_ seconds: Int64, _ fact: Fact) -> Observation {
        Observation(mac: mac, time: Fixtures.time(seconds), fact: fact)
    }

    /// Evidence rows of the store as comparable text.
    static func rows(_ store: HistoryStore) throws -> [String] {
        try store.evidence(for: mac, limit: nil).map {
            "\($0.kind.rawValue) \($0.source.rawValue) \($0.value) \($0.firstSeen) \($0.lastSeen) \($0.count)"
        }.sorted()
    }

    /// Writes `before` one observation per batch, then `batch` either grouped (one write) or one
    /// observation per batch in time order; returns the evidence rows.
    static func evidence(before: [Observation], batch: [Observation], grouped: Bool) throws -> [String] {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        for o in before { try store.write(HistoryBatch(observations: [o])) }
        if grouped {
            try store.write(HistoryBatch(observations: batch))
        } else {
            for o in batch.sorted(by: { $0.time < $1.time }) { try store.write(HistoryBatch(observations: [o])) }
        }
        return try rows(store)
    }

    static let dns = Fact.dnsQuery("camera.vendor-cloud.example")
    static let arp = Fact.address(.v4(IPv4Address(10, 0, 0, 7)), via: .arp)
    /// Two facts that differ (message type) but land on one evidence row.
    static let request = Fact.dhcpClient(DHCPClientFingerprint(messageType: 3, parameterRequestList: [1, 3, 6]))
    static let discover = Fact.dhcpClient(DHCPClientFingerprint(messageType: 1, parameterRequestList: [1, 3, 6]))

    @Test func write_repeatsInOneBatch_countAsWrittenOneAtATime_newRows() throws {
        let batch = [
            Self.observation(30, Self.dns), Self.observation(10, Self.dns), Self.observation(20, Self.dns),
            Self.observation(5, Self.arp), Self.observation(40, Self.arp),
            Self.observation(10, Self.request), Self.observation(10, Self.discover),
            Self.observation(12, Self.discover),
        ].shuffled()
        let grouped = try Self.evidence(before: [], batch: batch, grouped: true)
        #expect(grouped.count == 3)
        #expect(grouped == (try Self.evidence(before: [], batch: batch, grouped: false)))
        // Three distinct times of the DNS name, two of the row both DHCP facts share.
        #expect(grouped.contains { $0.hasPrefix("dns_query dns camera.vendor-cloud.example") && $0.hasSuffix(" 3") })
        #expect(grouped.contains { $0.hasPrefix("dhcp_client dhcp") && $0.hasSuffix(" 2") })
    }

    @Test func write_repeatsInOneBatch_countAsWrittenOneAtATime_storedWindow() throws {
        // Stored window [20, 30] with count 2; the batch has times before, inside, equal to its
        // ends and after it.
        let before = [Self.observation(20, Self.dns), Self.observation(30, Self.dns), Self.observation(25, Self.arp)]
        let batch =
            [5, 10, 20, 22, 30, 31, 35, 35].map { Self.observation($0, Self.dns) } + [
                Self.observation(25, Self.arp), Self.observation(24, Self.arp),
            ]
        let grouped = try Self.evidence(before: before, batch: batch.shuffled(), grouped: true)
        #expect(grouped == (try Self.evidence(before: before, batch: batch, grouped: false)))
        // DNS: 2 stored + 5 (the earliest, before the window) + 31 and 35 (after it) = 5. ARP: 1 stored
        // + 24 (before the stored 25) = 2.
        #expect(grouped.contains { $0.hasPrefix("dns_query") && $0.hasSuffix(" 5") })
        #expect(grouped.contains { $0.hasPrefix("address arp") && $0.hasSuffix(" 2") })
    }

    /// The same observations handed over grouped (`factTimes`, as a replay does) or one per time
    /// leave the same device and evidence rows, over a stored window and when the device cap
    /// refuses a device.
    @Test func write_factTimes_storeWhatTheirObservationsStore() throws {
        let other = Fixtures.mac(8)
        let third = Fixtures.mac(9)
        let groups = [
            HistoryBatch.FactTimes(mac: Self.mac, fact: Self.dns, times: [5, 10, 20, 31].map(Fixtures.time)),
            HistoryBatch.FactTimes(mac: Self.mac, fact: Self.request, times: [10].map(Fixtures.time)),
            HistoryBatch.FactTimes(mac: Self.mac, fact: Self.discover, times: [10, 12].map(Fixtures.time)),
            HistoryBatch.FactTimes(mac: other, fact: Self.arp, times: [3, 40].map(Fixtures.time)),
            HistoryBatch.FactTimes(mac: third, fact: Self.dns, times: [50].map(Fixtures.time)),
            HistoryBatch.FactTimes(mac: third, fact: Self.arp, times: []),
        ]
        let observations = groups.flatMap { group in
            group.times.map { Observation(mac: group.mac, time: $0, fact: group.fact) }
        }
        func stored(grouped: Bool, maxDevices: Int) throws -> [String] {
            let dir = try TemporaryDirectory()
            let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: maxDevices))
            try store.write(
                HistoryBatch(observations: [Self.observation(20, Self.dns), Self.observation(30, Self.dns)]))
            try store.write(grouped ? HistoryBatch(factTimes: groups) : HistoryBatch(observations: observations))
            var out: [String] = []
            for device in try store.devices() {
                out.append("\(device.mac) \(device.firstSeen) \(device.lastSeen)")
                out += try store.evidence(for: device.mac, limit: nil).map {
                    "\(device.mac) \($0.kind.rawValue) \($0.source.rawValue) \($0.value) \($0.firstSeen) \($0.lastSeen) \($0.count)"
                }
            }
            return out.sorted()
        }
        for cap in [16, 2] {
            let grouped = try stored(grouped: true, maxDevices: cap)
            #expect(grouped.count > 3)
            #expect(grouped == (try stored(grouped: false, maxDevices: cap)), "cap \(cap)")
        }
        // Room for two devices: the one first observed last (at 50 s) is refused.
        #expect(!(try stored(grouped: true, maxDevices: 2)).contains { $0.hasPrefix(third.description) })
        #expect((try stored(grouped: true, maxDevices: 16)).contains { $0.hasPrefix(third.description) })
    }

    @Test func count_followsTheOneAtATimeRule() {
        #expect(EvidenceTimes.count(stored: nil, times: [1, 2, 3]) == 3)
        #expect(EvidenceTimes.count(stored: (first: 10, last: 20, count: 4), times: [12, 15, 20]) == 4)
        #expect(EvidenceTimes.count(stored: (first: 10, last: 20, count: 4), times: [1, 2, 15, 21, 22]) == 7)
        #expect(EvidenceTimes.count(stored: (first: 10, last: 20, count: 4), times: [10, 20]) == 4)
    }

    /// Grouped facts go straight to their row; groups and observations of one row still merge.
    @Test func evidenceTimes_groupsAndObservationsOfOneRow_mergeSortedAndDistinct() {
        let mac = Fixtures.mac(1)
        let fact = Fact.hostname("printer", via: .mdns)
        let times = EvidenceTimes(
            [Observation(mac: mac, time: Fixtures.time(9), fact: fact)],
            grouped: [
                .init(mac: mac, fact: fact, times: [Fixtures.time(5), Fixtures.time(9)]),
                .init(mac: mac, fact: fact, times: [Fixtures.time(1)]),
                .init(mac: mac, fact: .hostname("other", via: .mdns), times: []),
            ]
        ).rowsByDevice
        #expect(times.count == 1)
        #expect(times.first?.times == [1, 5, 9].map { Fixtures.time($0).nanoseconds })
    }
}
