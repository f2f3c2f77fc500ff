import LanscopeCore
import Testing

@testable import History

/// A large batch's evidence rows are grouped on a helper thread (`EvidenceRowsAhead`) and grouped
/// facts go straight to their rows (`EvidenceTimes`): both must give exactly what grouping every
/// observation on the writing thread gives.
@Suite struct EvidenceRowsAheadTests {
    /// `devices` devices with `facts` facts each, each fact seen at a few times; some facts share
    /// a row (two DHCP message types), some times repeat or come out of order.
    static func groups(devices: Int, facts: Int) -> [HistoryBatch.FactTimes] {
        var out: [HistoryBatch.FactTimes] = []
        for d in 0..<devices {
            let mac = Fixtures.mac(d + 1)
            for f in 0..<facts {
                let times = [Int64(f + d), Int64(f), Int64(f + 2 * d + 1)].map(Fixtures.time)
                out.append(.init(mac: mac, fact: .dnsQuery("name-\(f).example"), times: times))
            }
            for type in [UInt8(1), 3] {
                let fingerprint = DHCPClientFingerprint(messageType: type, parameterRequestList: [1, 3, 6])
                out.append(.init(mac: mac, fact: .dhcpClient(fingerprint), times: [Fixtures.time(Int64(type) * 7)]))
            }
        }
        return out
    }

    static func text(_ rows: EvidenceRowsAhead.Rows) -> [String] {
        rows.map { "\($0.row.mac) \($0.row.kind.rawValue) \($0.row.source.rawValue) \($0.row.value) \($0.times)" }
    }

    @Test func take_threaded_equalsOneObservationAtATimeGrouping_largeBatch() {
        let groups = Self.groups(devices: 40, facts: 110)
        #expect(groups.count >= EvidenceRowsAhead.threadThreshold)
        let observations = groups.flatMap { g in g.times.map { Observation(mac: g.mac, time: $0, fact: g.fact) } }
        let ahead = EvidenceRowsAhead([], factTimes: groups)
        #expect(ahead.isThreaded)
        let rows = ahead.take()
        let inline = EvidenceRowsAhead(observations.shuffled(), factTimes: [], threaded: false)
        #expect(!inline.isThreaded)
        let reference = inline.take()
        // One row per device and DNS name, plus one per device for both DHCP facts.
        #expect(rows.count == 40 * 111)
        #expect(Self.text(rows).sorted() == Self.text(reference).sorted())
        // By MAC, each row's times ascending and distinct.
        #expect(rows.map(\.row.mac) == rows.map(\.row.mac).sorted())
        #expect(rows.allSatisfy { zip($0.times, $0.times.dropFirst()).allSatisfy { $0 < $1 } })
    }

    @Test func take_smallBatch_groupsOnTheCallingThread() {
        let ahead = EvidenceRowsAhead([], factTimes: Self.groups(devices: 2, facts: 3))
        #expect(!ahead.isThreaded)
        #expect(ahead.take().count == 2 * 4)
    }

    /// The whole write both ways: the same device and evidence rows, with room for every device and
    /// with the cap refusing some.
    @Test func write_threadedGrouping_storesWhatInlineGroupingStores_deviceCapIncluded() throws {
        // 202 facts a device: the 25 devices the smaller cap admits still make a threaded batch.
        let groups = Self.groups(devices: 40, facts: 200)
        func stored(threaded: Bool, maxDevices: Int) throws -> [String] {
            let dir = try TemporaryDirectory()
            let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: maxDevices))
            store.groupsEvidenceAhead = threaded
            try store.write(HistoryBatch(devices: [Fixtures.device(1), Fixtures.device(2)]))
            try store.write(HistoryBatch(devices: [Fixtures.device(3)], factTimes: groups))
            #expect(store.lastWriteGroupedEvidenceAhead == threaded)
            var out: [String] = []
            for device in try store.devices() {
                out.append("\(device.mac) \(device.firstSeen) \(device.lastSeen)")
                out += try store.evidence(for: device.mac, limit: nil).map {
                    "\(device.mac) \($0.kind.rawValue) \($0.value) \($0.firstSeen) \($0.lastSeen) \($0.count)"
                }
            }
            #expect(store.devicesRejected == UInt64(max(0, 40 - maxDevices)))
            return out.sorted()
        }
        for cap in [100, 25] {
            let threaded = try stored(threaded: true, maxDevices: cap)
            #expect(threaded.count > cap)
            #expect(threaded == (try stored(threaded: false, maxDevices: cap)), "cap \(cap)")
        }
    }
}
