import Inventory
import LanscopeCore
import PacketDecoding
import Testing

@testable import LanscopePipeline

/// Frames decoded elsewhere (`process(_:keepingEvidence:after:)`) and evidence kept apart (`keepEvidence(of:)`) leave
/// the pipeline as decoding the bytes itself does: the same devices, statistics and pending history.
@Suite struct DecodedFramesPipelineTests {
    static let a = MACAddress(rawValue: 0x3c22_fb00_0001)
    static let b = MACAddress(rawValue: 0x3c22_fb00_0002)
    static let gateway = MACAddress(rawValue: 0x2401_0000_0001)
    static let t0 = Timestamp(seconds: 1_800_000_000)

    /// ARP from two devices, repeated, and ordinary traffic between them and the gateway, 25 s long
    /// (two ticks).
    static let frames: [(bytes: [UInt8], time: Timestamp)] = (0..<50).map { i in
        let time = t0 + .milliseconds(Int64(i) * 500)
        switch i % 5 {
        case 0: return (Frames.arp(from: a, ip: [10, 0, 0, 7], target: [10, 0, 0, 1]), time)
        case 1: return (Frames.arp(from: b, ip: [10, 0, 0, UInt8(8 + i % 2)], target: [10, 0, 0, 1]), time)
        case 2: return (Frames.udp(from: a, to: gateway), time)
        case 3: return (Frames.udp(from: gateway, to: b, length: 300), time)
        default: return ([0x01, 0x02], time)  // too short: a decode error
        }
    }

    /// The frames decoded as the pipeline decodes them, in batches of `size`.
    static func batches(size: Int) -> [DecodedFrames] {
        let decoder = FrameDecoder(linkType: .ethernet)
        var result = DecodeResult()
        var out: [DecodedFrames] = []
        var batch = DecodedFrames()
        for frame in frames {
            frame.bytes.withUnsafeBytes {
                decoder.decode($0, wireLength: frame.bytes.count, time: frame.time, into: &result)
            }
            batch.append(result, wireLength: frame.bytes.count, time: frame.time)
            if batch.count == size {
                out.append(batch)
                batch = DecodedFrames()
            }
        }
        if !batch.isEmpty { out.append(batch) }
        return out
    }

    /// What the pipeline holds after the frames, taken.
    struct Held: Equatable {
        var devices: [Device]
        var statistics: PipelineStatistics
        var evidence: Set<Observation>
        var changed: Set<MACAddress>
        var revised: Set<MACAddress>
        var changes: Int
    }

    static func held(_ pipeline: Pipeline) -> Held {
        pipeline.finish(at: frames.last!.time)
        let pending = pipeline.takePendingHistory()
        return Held(
            devices: pipeline.registry.snapshot(), statistics: pipeline.statistics(),
            evidence: Set(pending.observations), changed: pending.changedDevices, revised: pending.revisedDevices,
            changes: pending.changes.count)
    }

    static func fromBytes() -> Held {
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [])
        for frame in frames {
            frame.bytes.withUnsafeBytes {
                pipeline.process($0, wireLength: frame.bytes.count, time: frame.time, linkType: .ethernet)
            }
        }
        return held(pipeline)
    }

    @Test func process_decodedFrames_sameAsDecodingTheBytes() {
        let expected = Self.fromBytes()
        #expect(expected.devices.count == 3)
        #expect(expected.evidence.count > 10)
        #expect(expected.statistics.frames == 50)
        #expect(expected.statistics.decodeErrors.values.reduce(0, +) == 10)
        #expect(expected.changed.contains(Self.a) && expected.changed.contains(Self.b))

        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [])
        for batch in Self.batches(size: 7) { pipeline.process(batch) }
        #expect(Self.held(pipeline) == expected)
    }

    /// Evidence left out per frame and added per batch afterwards: the same pending evidence, and the
    /// devices it is about still among the changed ones when the history is taken.
    @Test func keepEvidence_afterEachBatch_sameAsKeepingItPerFrame() {
        let expected = Self.fromBytes()
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [])
        var dropped: UInt64 = 0
        for batch in Self.batches(size: 4) {
            pipeline.process(batch, keepingEvidence: false)
            dropped += pipeline.keepEvidence(of: batch)
        }
        pipeline.notePendingObservationsDropped(dropped)
        #expect(dropped == 0)
        #expect(Self.held(pipeline) == expected)
    }

    /// Frames processed without their evidence and never handed over: nothing pending from them, so
    /// the caller's hand-over is what puts evidence in the history.
    @Test func process_withoutKeepingEvidence_leavesThePendingEvidenceEmpty() {
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [])
        for batch in Self.batches(size: 50) {
            pipeline.process(batch, keepingEvidence: false)
        }
        #expect(pipeline.pendingEvidenceCount.observations == 0)
        #expect(pipeline.registry.count == 3)
        pipeline.publishStatistics()
        #expect(pipeline.statistics().observations > 10)
    }
}
