import Inventory
import LanscopeCore
import LanscopePipeline
import PacketDecoding
import Testing

@testable import LanscopeService

/// Evidence added on the keeper's thread (`EvidenceKeeper`, `Pipeline.keepEvidence(of:)`) ends as
/// the pipeline's own keeping leaves it: the same observations pending, the same ones left out at
/// the caps, counted the same.
@Suite struct EvidenceKeeperTests {
    static let start = Timestamp(seconds: 1_700_000_000)

    /// `frames` frames from 50 devices, each with `perFrame` DNS queries; `distinct` names in all,
    /// so names repeat (a repeated time or a new one) once they run out.
    static func batches(frames: Int, perFrame: Int, distinct: Int, batchSize: Int) -> [DecodedFrames] {
        var out: [DecodedFrames] = []
        var batch = DecodedFrames(reservingCapacity: batchSize)
        var result = DecodeResult()
        var name = 0
        for i in 0..<frames {
            let mac = MACAddress(rawValue: 0x02_00_00_00_00_00 | UInt64(i % 50))
            let time = start + .milliseconds(i / 3)
            result.reset()
            result.summary.source = mac
            for _ in 0..<perFrame {
                result.observations.append(
                    Observation(mac: mac, time: time, fact: .dnsQuery("n\(name % distinct).example")))
                name += 1
            }
            batch.append(result, wireLength: 60, time: time)
            if batch.count == batchSize {
                out.append(batch)
                batch = DecodedFrames(reservingCapacity: batchSize)
            }
        }
        if !batch.isEmpty { out.append(batch) }
        return out
    }

    /// What is pending: every (device, fact, time), sorted, and the counts.
    static func pending(_ pipeline: Pipeline) -> (rows: [String], facts: Int, observations: Int, dropped: UInt64) {
        pipeline.publishStatistics()
        let counts = pipeline.pendingEvidenceCount
        let dropped = pipeline.statistics().pendingObservationsDropped
        let rows = pipeline.takePendingHistory().observations.map { "\($0.mac) \($0.fact) \($0.time)" }.sorted()
        return (rows, counts.facts, counts.observations, dropped)
    }

    func compare(frames: Int, perFrame: Int, distinct: Int, batchSize: Int) throws -> Int {
        let batches = Self.batches(frames: frames, perFrame: perFrame, distinct: distinct, batchSize: batchSize)
        let inline = Pipeline(registry: DeviceRegistry(), stages: [])
        for batch in batches { inline.process(batch) }

        let apart = Pipeline(registry: DeviceRegistry(), stages: [])
        let keeper = try EvidenceKeeper(pipeline: apart, depth: 2)
        for batch in batches {
            apart.process(batch, keepingEvidence: false)
            keeper.hand(batch)
        }
        apart.notePendingObservationsDropped(keeper.finish())

        let expected = Self.pending(inline)
        let got = Self.pending(apart)
        #expect(got.facts == expected.facts)
        #expect(got.observations == expected.observations)
        #expect(got.dropped == expected.dropped)
        #expect(got.rows == expected.rows)
        return Int(expected.dropped)
    }

    @Test func evidenceKeeper_repeatsAndNewTimes_sameAsInline() throws {
        let dropped = try compare(frames: 3_000, perFrame: 3, distinct: 700, batchSize: 64)
        #expect(dropped == 0)
    }

    /// More distinct facts than `PendingHistory.capacity`: the same ones are left out and counted.
    @Test func evidenceKeeper_pastTheFactCap_dropsAndCountsAsInline() throws {
        let facts = Pipeline.PendingHistory.capacity + 2_000
        let perFrame = 64
        let dropped = try compare(
            frames: (facts + perFrame - 1) / perFrame, perFrame: perFrame, distinct: facts, batchSize: 512)
        #expect(dropped > 0)
    }

    /// `wait()` returns once everything handed over is added, and reports each drop once.
    @Test func evidenceKeeper_wait_everyBatchAddedBeforeItReturns() throws {
        let batches = Self.batches(frames: 1_000, perFrame: 2, distinct: 100_000, batchSize: 10)
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [])
        let keeper = try EvidenceKeeper(pipeline: pipeline, depth: 1)
        for batch in batches {
            pipeline.process(batch, keepingEvidence: false)
            keeper.hand(batch)
        }
        #expect(keeper.wait() == 0)
        #expect(pipeline.pendingEvidenceCount.observations == 2_000)
        #expect(keeper.finish() == 0)
    }
}
