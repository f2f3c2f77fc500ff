import LanscopeCore
import Testing

@testable import History

/// Retention at explicit times (the store takes `now` as a value: a fake clock).
@Suite struct HistoryStoreRetentionTests {
    static let hour: Int64 = 3_600
    static let day: Int64 = 86_400

    /// Raw 10 s samples for `devices` devices over `seconds` from `start`, 100 bytes each.
    static func rawSamples(devices: Int, from start: Int64, seconds: Int64) -> [TrafficSample] {
        var out: [TrafficSample] = []
        for n in 1...devices {
            for t in stride(from: start, to: start + seconds, by: 10) {
                out.append(
                    TrafficSample(
                        mac: Fixtures.mac(n), start: Fixtures.time(t), seconds: 10, transmittedBytes: 100,
                        transmittedPackets: 1, receivedBytes: 50, receivedPackets: 1))
            }
        }
        return out
    }

    static func totals(_ store: HistoryStore) throws -> [TrafficSample.Tier: (rows: Int64, bytes: Int64)] {
        var out: [TrafficSample.Tier: (rows: Int64, bytes: Int64)] = [:]
        try store.prepared(
            "SELECT tier, count(*), sum(transmitted_bytes + received_bytes) FROM traffic_samples GROUP BY tier"
        ).query { row in
            out[TrafficSample.Tier(rawValue: Int(row.integer(0)))!] = (row.integer(1), row.integer(2))
        }
        return out
    }

    @Test func retention_foldsOldRawSamplesIntoHourly_keepingSums() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        // Two hours of raw samples for 3 devices, aligned to the hour.
        let start: Int64 = 3_600 - 1_700_000_000 % 3_600
        try store.write(HistoryBatch(samples: Self.rawSamples(devices: 3, from: start, seconds: 2 * Self.hour)))
        let before = try Self.totals(store)
        #expect((before[.raw]?.rows ?? -1) == Int64(3 * 720))
        let now = Fixtures.time(start + 2 * Self.hour + Self.day)
        let pass = try store.applyRetention(policy: RetentionPolicy(), now: now, bounds: .init(statementsPerPass: 100))
        #expect(pass.complete)
        #expect(pass.folded == 3 * 720)
        let after = try Self.totals(store)
        #expect(after[.raw] == nil)
        #expect((after[.hourly]?.rows ?? -1) == Int64(3 * 2))
        #expect(after[.hourly]?.bytes == before[.raw]?.bytes)
        let hourly = try store.samples(for: Fixtures.mac(1), since: nil)
        #expect(hourly.map(\.tier) == [.hourly, .hourly])
        #expect(hourly.map(\.seconds) == [3_600, 3_600])
        #expect(hourly.first?.transmittedBytes == 360 * 100)
    }

    @Test func retention_keepsRawSamples_youngerThanRawRetention() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(samples: Self.rawSamples(devices: 1, from: 0, seconds: 600)))
        let pass = try store.applyRetention(policy: RetentionPolicy(), now: Fixtures.time(Self.day - 1))
        #expect(pass.complete)
        #expect(pass.folded == 0)
        #expect(try Self.totals(store)[.raw]?.rows == 60)
    }

    @Test func retention_foldsHourlyIntoDaily_thenDeletesBeyondDailyRetention() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let policy = RetentionPolicy(
            raw: .seconds(Self.day), hourly: .seconds(2 * Self.day), daily: .seconds(10 * Self.day))
        try store.write(HistoryBatch(samples: Self.rawSamples(devices: 2, from: 0, seconds: 3 * Self.hour)))
        let bytes = try Self.totals(store)[.raw]!.bytes
        // A simulated month, one pass a day: raw → hourly after a day, → daily after two, gone after ten.
        var seen: [Int: [TrafficSample.Tier]] = [:]
        for dayNumber in 1...12 {
            let pass = try store.applyRetention(
                policy: policy, now: Fixtures.time(Int64(dayNumber) * Self.day + 4 * Self.hour),
                bounds: .init(statementsPerPass: 1000))
            #expect(pass.complete)
            let totals = try Self.totals(store)
            seen[dayNumber] = totals.keys.sorted { $0.rawValue < $1.rawValue }
            // Until the first UTC day's daily sample passes the 10-day limit (day 9), nothing is lost.
            if dayNumber < 9 { #expect(totals.values.reduce(0) { $0 + $1.bytes } == bytes, "day \(dayNumber)") }
        }
        #expect(seen[1] == [.hourly])
        #expect(seen[2] == [.daily])
        #expect(seen[9] == [.daily])
        #expect(seen[11] == [])
    }

    @Test func retention_stopsAtItsBound_andNextPassContinues() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(samples: Self.rawSamples(devices: 5, from: 0, seconds: 1_000)))  // 500 rows
        let bytes = try Self.totals(store)[.raw]!.bytes
        let bounds = RetentionPolicy.Bounds(rowsPerStatement: 40, statementsPerPass: 3)
        let now = Fixtures.time(2 * Self.day)
        var passes = 0
        var folded = 0
        while passes < 100 {
            passes += 1
            let pass = try store.applyRetention(policy: RetentionPolicy(), now: now, bounds: bounds)
            #expect(pass.statements <= 3 + 4)
            #expect(pass.folded <= 120)
            folded += pass.folded
            // Exactly the rows folded so far are gone from raw; the sum over tiers never changes.
            #expect(try Self.totals(store).values.reduce(0) { $0 + $1.bytes } == bytes)
            if pass.complete { break }
        }
        #expect(folded == 500)
        #expect(passes == 5)  // 500 rows / (3 × 40) per pass → 5 passes.
        #expect(try Self.totals(store)[.raw] == nil)
    }

    @Test func retention_deletesOldPresenceAndEvidence_keepsDevices() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(Fixtures.fullBatch())
        let mac = Fixtures.mac(1)
        try store.write(
            HistoryBatch(presence: [PresenceSpan(mac: mac, start: Fixtures.time(0), end: Fixtures.time(60))]))
        #expect(!(try store.evidence(for: mac)).isEmpty)
        let policy = RetentionPolicy(raw: .seconds(60), hourly: .seconds(120), daily: .seconds(Self.day))
        let pass = try store.applyRetention(policy: policy, now: Fixtures.time(2 * Self.day))
        #expect(pass.complete)
        #expect(pass.deleted > 0)
        #expect(try store.presence(for: mac).isEmpty)
        #expect(try store.evidence(for: mac).isEmpty)
        #expect(try store.device(mac) != nil)
        #expect(try store.anomalies(since: nil, limit: nil).count == 2)
    }

    @Test func pruneEvidence_withLimit_deletesAtMostLimitRows() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(Fixtures.fullBatch())
        let total = try store.rowCounts()["evidence"] ?? 0
        #expect(total > 2)
        #expect(try store.pruneEvidence(olderThan: Fixtures.time(Self.day), limit: 2) == 2)
        #expect(try store.rowCounts()["evidence"] == total - 2)
    }
}
