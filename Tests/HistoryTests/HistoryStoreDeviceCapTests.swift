import LanscopeCore
import Testing

@testable import History

/// The store holds as many devices as the inventory: a MAC flood is refused and counted, not stored.
@Suite struct HistoryStoreDeviceCapTests {
    /// One address observation from each of `count` MACs starting at `first`, as a flood brings.
    private func flood(_ count: Int, from first: Int = 0) -> [Observation] {
        (first..<(first + count)).map { n in
            Observation(
                mac: Fixtures.mac(n), time: Fixtures.time(Int64(n % 300)),
                fact: .address(.v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32(n & 0xFF_FFFF))), via: .arp))
        }
    }

    @Test func write_storesAtMostDefaultCap_whenFloodBatchCarries100000MACs() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        #expect(store.configuration.maxDevices == 16_384)
        let clock = ContinuousClock()
        let elapsed = try clock.measure { try store.write(HistoryBatch(observations: flood(100_000))) }
        print("history: 100,000-MAC flood batch written in \(elapsed) (16,384 stored)")

        let counts = try store.rowCounts()
        #expect(counts["devices"] == 16_384)
        #expect(counts["evidence"] == 16_384)
        #expect(store.devicesRejected == 100_000 - 16_384)

        // The next flood window finds the store full: nothing new, every MAC counted again.
        try store.write(HistoryBatch(observations: flood(1_000, from: 200_000)))
        #expect(try store.rowCounts()["devices"] == 16_384)
        #expect(store.devicesRejected == 100_000 - 16_384 + 1_000)
    }

    @Test func write_updatesStoredDevices_butRefusesNewOnes_whenFull() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: 3))
        try store.write(HistoryBatch(devices: [Fixtures.device(1), Fixtures.device(2)]))
        #expect(store.devicesRejected == 0)

        // Device 2 again (newer), device 3 fills the store, 4 and 5 are refused with everything
        // the batch carried about them: device row, addresses, evidence, traffic.
        let batch = HistoryBatch(
            devices: [Fixtures.device(2, last: 120), Fixtures.device(3), Fixtures.device(4)],
            observations: Fixtures.observations(for: 3, at: 30) + Fixtures.observations(for: 4, at: 30)
                + Fixtures.observations(for: 5, at: 30),
            capture: Fixtures.capture("cap"),
            traffic: [
                Fixtures.mac(2): Fixtures.counters(txPackets: 1, txBytes: 60),
                Fixtures.mac(5): Fixtures.counters(txPackets: 9, txBytes: 900),
            ])
        try store.write(batch)

        #expect(try store.devices().map(\.mac) == [Fixtures.mac(1), Fixtures.mac(2), Fixtures.mac(3)])
        #expect(try store.device(Fixtures.mac(2))?.lastSeen == Fixtures.time(120))
        #expect(try store.device(Fixtures.mac(2))?.traffic.transmittedBytes == 60)
        #expect(try store.evidence(for: Fixtures.mac(3)).count == 3)
        #expect(try store.evidence(for: Fixtures.mac(4)).isEmpty)
        #expect(try store.evidence(for: Fixtures.mac(5)).isEmpty)
        let counts = try store.rowCounts()
        #expect(counts["traffic"] == 1)
        #expect(counts["addresses"] == 3 * 2)
        #expect(store.devicesRejected == 2)
    }

    @Test func write_countsStoredDevices_whenReopenedWithSmallerCap() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        do {
            let store = try HistoryStore(path: path)
            try store.write(Fixtures.fullBatch(devices: 5))
            try store.close()
        }
        let store = try HistoryStore(path: path, configuration: .init(maxDevices: 4))
        try store.write(HistoryBatch(devices: [Fixtures.device(1, last: 90), Fixtures.device(9)]))
        #expect(try store.rowCounts()["devices"] == 5)
        #expect(try store.device(Fixtures.mac(1))?.lastSeen == Fixtures.time(90))
        #expect(store.devicesRejected == 1)
    }

    @Test func write_countsNothing_whenTransactionFails() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: 1))
        try store.write(HistoryBatch(devices: [Fixtures.device(1)]))
        // Traffic without a capture record is refused before anything is written or counted.
        #expect(throws: HistoryError.trafficWithoutCapture) {
            try store.write(HistoryBatch(devices: [Fixtures.device(2)], traffic: [Fixtures.mac(2): TrafficCounters()]))
        }
        #expect(store.devicesRejected == 0)
    }
}
