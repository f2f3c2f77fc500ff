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
}
