import Foundation
import History
import Inventory
import LanscopeCore
import LanscopePipeline
import Testing

@testable import LanscopeService

/// A replay with more distinct facts than the pending set holds writes them out as it goes: evidence is
/// the same whether it was flushed once at the end or many times on the way.
@Suite struct ReplayFlushTests {
    func evidence(flushThreshold: Int?) throws -> [String] {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("e.db").path
        let store = try HistoryStore(path: path)
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: ServiceStages.make(known: []))
        let runner = ReplayRunner(pipeline: pipeline, history: store)
        if let flushThreshold { runner.flushThreshold = flushThreshold }
        let report = runner.replay(path: TestPaths.sampleCapture)
        try runner.store([report], into: store, ingestedAt: Timestamp(seconds: 1))
        #expect(pipeline.statistics().pendingObservationsDropped == 0)
        // Written with foreign-key checks off: every row still has its parent.
        #expect(try store.foreignKeyViolations() == 0)
        var rows: [String] = []
        for device in try store.devices() {
            for e in try store.evidence(for: device.mac) {
                rows.append(
                    "\(device.mac) \(e.kind.rawValue) \(e.source.rawValue) \(e.value) \(e.firstSeen) \(e.lastSeen) \(e.count)"
                )
            }
        }
        return rows.sorted()
    }

    /// Device rows (with addresses, names, services, classification) after a replay into a fresh
    /// database, flushed once at the end or after every frame.
    func devices(flushThreshold: Int?) throws -> [Device] {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("d.db").path
        let store = try HistoryStore(path: path)
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: ServiceStages.make(known: []))
        let runner = ReplayRunner(pipeline: pipeline, history: store)
        if let flushThreshold { runner.flushThreshold = flushThreshold }
        let report = runner.replay(path: TestPaths.sampleCapture)
        try runner.store([report], into: store, ingestedAt: Timestamp(seconds: 1))
        return try store.devices()
    }

    /// Mid-way flushes rewrite only revised devices (`PendingHistory.revisedDevices`); the rows end
    /// the same as when every device is written once at the end.
    @Test func replay_flushingOnTheWay_storesTheSameDevices() throws {
        let once = try devices(flushThreshold: nil)
        let often = try devices(flushThreshold: 1)
        #expect(once.count > 5)
        #expect(once.contains { $0.classification != nil })
        #expect(often == once)
    }

    @Test func replay_flushingOnTheWay_storesTheSameEvidence() throws {
        let once = try evidence(flushThreshold: nil)
        let often = try evidence(flushThreshold: 1)
        #expect(once.count > 50)
        #expect(often == once)
    }

    /// The pending set handed to the store as it is held (`PendingFacts`, what a replay's final write
    /// does) stores what its observations stored one by one store: with and without the device rows
    /// (then every device comes from the facts alone), and with a device cap that refuses some.
    @Test func store_pendingSetAsHeld_storesWhatItsObservationsStore() throws {
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: ServiceStages.make(known: []))
        let runner = ReplayRunner(pipeline: pipeline)
        _ = runner.replay(path: TestPaths.sampleCapture)
        let pending = pipeline.takePendingHistory()
        let devices = pipeline.registry.snapshot()
        #expect(pending.evidence.factCount > 50)
        #expect(pending.evidence.devices.count > 5)
        func stored(_ batch: HistoryBatch, maxDevices: Int) throws -> [String] {
            let path = TestPaths.temporaryDirectory().appendingPathComponent("p.db").path
            let store = try HistoryStore(path: path, configuration: .init(maxDevices: maxDevices))
            try store.write(batch)
            var rows: [String] = []
            for device in try store.devices() {
                rows.append("\(device.mac) \(device.firstSeen) \(device.lastSeen)")
                for e in try store.evidence(for: device.mac) {
                    rows.append(
                        "\(device.mac) \(e.kind.rawValue) \(e.source.rawValue) \(e.value) \(e.firstSeen) \(e.lastSeen) \(e.count)"
                    )
                }
            }
            return rows.sorted()
        }
        for (withDevices, cap) in [(true, 16_384), (false, 16_384), (true, 3), (false, 3)] {
            let rows = withDevices ? devices : []
            let held = try stored(
                HistoryBatch(devices: rows, factTimes: PendingFacts(evidence: pending.evidence)), maxDevices: cap)
            let oneByOne = try stored(
                HistoryBatch(devices: rows, observations: pending.evidence.observations), maxDevices: cap)
            #expect(held.count > (cap == 3 ? 3 : 50))
            #expect(held == oneByOne, "devices \(withDevices), cap \(cap)")
        }
    }
}
