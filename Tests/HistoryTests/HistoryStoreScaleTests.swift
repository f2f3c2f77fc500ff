import LanscopeCore
import Testing

@testable import History

@Suite struct HistoryStoreScaleTests {
    /// Prints the time for reference; timing is a benchmark figure, not a pass/fail criterion.
    @Test func write_storesTenThousandDeviceBatch() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let count = 10_000
        let devices = (0..<count).map { Fixtures.device($0) }
        let observations = (0..<count).flatMap { Fixtures.observations(for: $0, at: 30) }
        var traffic: [MACAddress: TrafficCounters] = [:]
        for n in 0..<count {
            traffic[Fixtures.mac(n)] = Fixtures.counters(txPackets: UInt64(n), txBytes: UInt64(n) * 100)
        }
        let batch = HistoryBatch(
            devices: devices, observations: observations, capture: Fixtures.capture("big"), traffic: traffic)

        let clock = ContinuousClock()
        let writeTime = try clock.measure { try store.write(batch) }
        let replayTime = try clock.measure { try store.write(batch) }
        var loaded: [Device] = []
        let readTime = try clock.measure { loaded = try store.devices() }
        print(
            "history: 10k-device batch (\(observations.count) observations): write \(writeTime), "
                + "replay \(replayTime), read all \(readTime)"
        )

        #expect(loaded.count == count)
        #expect(loaded.map(\.mac) == devices.map(\.mac).sorted())
        let counts = try store.rowCounts()
        #expect(counts["devices"] == count)
        #expect(counts["evidence"] == count * 3)
        #expect(counts["traffic"] == count)
        #expect(loaded.last?.traffic.transmittedBytes == UInt64(count - 1) * 100)
    }
}
