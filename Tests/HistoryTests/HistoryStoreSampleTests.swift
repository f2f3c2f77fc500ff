import LanscopeCore
import Testing

@testable import History

@Suite struct HistoryStoreSampleTests {
    static func sample(_ n: Int, at seconds: Int64, tx: UInt64, rx: UInt64 = 0, tier: TrafficSample.Tier = .raw)
        -> TrafficSample
    {
        TrafficSample(
            mac: Fixtures.mac(n), tier: tier, start: Fixtures.time(seconds), seconds: 10, transmittedBytes: tx,
            transmittedPackets: tx / 100, receivedBytes: rx, receivedPackets: rx / 100)
    }

    @Test func samples_addUp_whenSameIntervalWrittenTwice() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        // A partial interval written at shutdown, the rest after a restart.
        try store.write(HistoryBatch(samples: [Self.sample(1, at: 0, tx: 1000, rx: 200)]))
        try store.write(HistoryBatch(samples: [Self.sample(1, at: 0, tx: 500), Self.sample(1, at: 10, tx: 300)]))
        let samples = try store.samples(for: Fixtures.mac(1), since: nil)
        #expect(samples.count == 2)
        #expect(samples.first?.transmittedBytes == 1500)
        #expect(samples.first?.receivedBytes == 200)
        #expect(samples.last?.transmittedBytes == 300)
        #expect(samples.map(\.start) == [Fixtures.time(0), Fixtures.time(10)])
    }

    @Test func samples_createDeviceRow_whenDeviceNotStoredYet() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(samples: [Self.sample(4, at: 20, tx: 100)]))
        let device = try #require(try store.device(Fixtures.mac(4)))
        #expect(device.firstSeen == Fixtures.time(20))
    }

    @Test func samples_refused_whenStoreHoldsItsDeviceCap() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: 1))
        try store.write(HistoryBatch(samples: [Self.sample(1, at: 0, tx: 100), Self.sample(2, at: 0, tx: 100)]))
        #expect(try store.samples(for: Fixtures.mac(1), since: nil).count == 1)
        #expect(try store.samples(for: Fixtures.mac(2), since: nil).isEmpty)
        #expect(store.devicesRejected == 1)
    }

    @Test func samples_skipsEmptySamples() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(samples: [Self.sample(1, at: 0, tx: 0)]))
        #expect(try store.samples(for: Fixtures.mac(1), since: nil).isEmpty)
    }

    @Test func samples_since_returnsOnlyLaterSamples() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(samples: (0..<10).map { Self.sample(1, at: Int64($0) * 10, tx: 100) }))
        let later = try store.samples(for: Fixtures.mac(1), since: Fixtures.time(50))
        #expect(later.map(\.start) == (5..<10).map { Fixtures.time(Int64($0) * 10) })
        #expect(try store.samples(for: Fixtures.mac(1), since: nil, limit: 3).map(\.start).first == Fixtures.time(70))
    }

    @Test func presence_extendsSpan_whenSightingWithinGap() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(presenceGap: .seconds(300)))
        let mac = Fixtures.mac(1)
        try store.write(
            HistoryBatch(presence: [PresenceSpan(mac: mac, start: Fixtures.time(0), end: Fixtures.time(10))]))
        try store.write(
            HistoryBatch(presence: [PresenceSpan(mac: mac, start: Fixtures.time(200), end: Fixtures.time(250))]))
        #expect(
            try store.presence(for: mac) == [PresenceSpan(mac: mac, start: Fixtures.time(0), end: Fixtures.time(250))])
    }

    @Test func presence_startsNewSpan_whenSilenceLongerThanGap() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(presenceGap: .seconds(300)))
        let mac = Fixtures.mac(1)
        try store.write(
            HistoryBatch(presence: [PresenceSpan(mac: mac, start: Fixtures.time(0), end: Fixtures.time(10))]))
        try store.write(
            HistoryBatch(presence: [PresenceSpan(mac: mac, start: Fixtures.time(400), end: Fixtures.time(410))]))
        #expect(
            try store.presence(for: mac) == [
                PresenceSpan(mac: mac, start: Fixtures.time(400), end: Fixtures.time(410)),
                PresenceSpan(mac: mac, start: Fixtures.time(0), end: Fixtures.time(10)),
            ])
    }

    @Test func devicesSeen_returnsDevicesWithSpanOverlappingRange() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(presenceGap: .seconds(60)))
        try store.write(
            HistoryBatch(presence: [
                PresenceSpan(mac: Fixtures.mac(1), start: Fixtures.time(0), end: Fixtures.time(100)),
                PresenceSpan(mac: Fixtures.mac(2), start: Fixtures.time(500), end: Fixtures.time(600)),
                PresenceSpan(mac: Fixtures.mac(3), start: Fixtures.time(90), end: Fixtures.time(95)),
            ]))
        let seen = try store.devicesSeen(from: Fixtures.time(50), to: Fixtures.time(200))
        #expect(seen.map(\.mac) == [Fixtures.mac(1), Fixtures.mac(3)])
        #expect(seen.first?.first == Fixtures.time(50))
        #expect(seen.first?.last == Fixtures.time(100))
        #expect(try store.devicesSeen(from: Fixtures.time(700), to: Fixtures.time(800)).isEmpty)
    }

    @Test func devicesSeen_usesFirstAndLastSeen_forDevicesWithoutSpans() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(devices: [Fixtures.device(1, first: 0, last: 60)]))
        #expect(try store.devicesSeen(from: Fixtures.time(50), to: Fixtures.time(70)).map(\.mac) == [Fixtures.mac(1)])
        // Between its first and last sighting nothing says it was there.
        #expect(try store.devicesSeen(from: Fixtures.time(10), to: Fixtures.time(20)).isEmpty)
    }

    @Test func dailyTraffic_sumsEveryTierPerUTCDay() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let day: Int64 = 86_400
        // Fixtures.t0 is 2023-11-14T22:13:20Z: 6,400 s later is the next UTC midnight.
        try store.write(
            HistoryBatch(samples: [
                Self.sample(1, at: 0, tx: 100), Self.sample(1, at: 10, tx: 200),
                Self.sample(1, at: 6_400 + 5, tx: 1000, tier: .hourly),
                Self.sample(1, at: 6_400 + day, tx: 7, tier: .daily),
            ]))
        let days = try store.dailyTraffic(for: Fixtures.mac(1), since: nil)
        #expect(days.map(\.transmittedBytes) == [300, 1000, 7])
        #expect(days.allSatisfy { $0.start.nanoseconds % (day * 1_000_000_000) == 0 })
    }
}
