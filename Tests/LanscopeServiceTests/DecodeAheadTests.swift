import CapturePcap
import Foundation
import History
import Inventory
import LanscopeCore
import LanscopePipeline
import PacketDecoding
import TestSupport
import Testing

@testable import LanscopeService

/// A replay that decodes on a second thread (`DecodeAhead`, `ReplayRunner.decodesAhead`) learns and
/// stores exactly what one decoding frame by frame on its own thread does, and the hand-over keeps
/// every frame, in capture order, whatever the batch size.
@Suite struct DecodeAheadTests {
    /// What a replay of `files` learned and stored.
    struct Learned: Equatable {
        var devices: [Device]
        var statistics: PipelineStatistics
        var reports: [String]
        var evidence: [String]
        /// Writes on the way (not compared: only what ends up stored must match).
        var flushes = 0

        static func == (a: Learned, b: Learned) -> Bool {
            a.devices == b.devices && a.statistics == b.statistics && a.reports == b.reports && a.evidence == b.evidence
        }
    }

    /// Replays `files` into a fresh database; `threads` are the ones the replay is expected to use
    /// (decoding ahead, keeping evidence apart), checked so a comparison cannot pass on the old path twice.
    func replay(
        _ files: [String], decodesAhead: Bool, flushThreshold: Int? = nil, batchSize: Int? = nil,
        threads: (decodedAhead: Bool, keptEvidence: Bool)
    ) throws -> Learned {
        let path = TestPaths.temporaryDirectory().appendingPathComponent("a.db").path
        let store = try HistoryStore(path: path)
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: ServiceStages.make(known: []))
        let runner = ReplayRunner(pipeline: pipeline, history: store)
        runner.decodesAhead = decodesAhead
        if let flushThreshold { runner.flushThreshold = flushThreshold }
        if let batchSize { runner.decodeBatchSize = batchSize }
        let reports = files.map {
            let report = runner.replay(path: $0)
            #expect(report.packets == 0 || runner.lastReplayThreads == threads, "\($0)")
            return report
        }
        try runner.store(reports, into: store, ingestedAt: Timestamp(seconds: 1))
        var evidence: [String] = []
        for device in try store.devices() {
            for e in try store.evidence(for: device.mac) {
                evidence.append(
                    "\(device.mac) \(e.kind.rawValue) \(e.source.rawValue) \(e.value) \(e.firstSeen) \(e.lastSeen) \(e.count)"
                )
            }
        }
        return Learned(
            devices: pipeline.registry.snapshot(), statistics: pipeline.statistics(),
            reports: reports.map {
                "\($0.path) \($0.packets) \($0.bytes) \($0.error ?? "-") \(String(describing: $0.firstPacket)) "
                    + "\(String(describing: $0.lastPacket)) \($0.captureKey ?? "-") \($0.traffic.count)"
            },
            evidence: evidence.sorted(), flushes: runner.flushes)
    }

    @Test func replay_decodingAhead_learnsWhatInlineDecodingLearns_sampleCapture() throws {
        let inline = try replay([TestPaths.sampleCapture], decodesAhead: false, threads: (false, false))
        let ahead = try replay([TestPaths.sampleCapture], decodesAhead: true, threads: (true, true))
        #expect(inline.devices.count > 5)
        #expect(inline.evidence.count > 50)
        #expect(inline.statistics.frames > 50)
        #expect(ahead == inline)
    }

    /// Flushing on the way (after every frame) runs on the pipeline's thread between frames, as
    /// before; checks that fall inside a batch keep the evidence on the pipeline's thread.
    @Test func replay_decodingAheadFlushingOnTheWay_learnsWhatInlineDecodingLearns() throws {
        let inline = try replay(
            [TestPaths.sampleCapture], decodesAhead: false, flushThreshold: 1, threads: (false, false))
        let ahead = try replay([TestPaths.sampleCapture], decodesAhead: true, flushThreshold: 1, threads: (true, false))
        #expect(inline.evidence.count > 50)
        #expect(inline.flushes > 10 && ahead.flushes == inline.flushes, "\(inline.flushes) \(ahead.flushes)")
        #expect(ahead == inline)
    }

    /// Batches of 4 frames, a flush check every 8 that flushes from 8 pending facts on: each check
    /// decides on the evidence thread's count at the previous one, and a flush waits for that thread,
    /// so every flush holds the same frames as inline.
    @Test func replay_evidenceKeptApartFlushingOnTheWay_learnsWhatInlineDecodingLearns() throws {
        let inline = try replay(
            [TestPaths.sampleCapture], decodesAhead: false, flushThreshold: 8, threads: (false, false))
        let ahead = try replay(
            [TestPaths.sampleCapture], decodesAhead: true, flushThreshold: 8, batchSize: 4, threads: (true, true))
        #expect(inline.evidence.count > 50)
        #expect(inline.flushes >= 2 && ahead.flushes == inline.flushes, "\(inline.flushes) \(ahead.flushes)")
        #expect(ahead == inline)
    }

    /// Every corpus capture lanscope opens, replayed into one pipeline and database: mDNS repeats,
    /// DHCP, DNS, TLS, VLANs, cooked captures, truncated files.
    @Test(.needsCorpus) func replay_decodingAhead_learnsWhatInlineDecodingLearns_corpus() throws {
        let corpus = try #require(TestPaths.corpus)
        let files = try #require(FileManager.default.enumerator(atPath: corpus)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") || $0.hasSuffix(".cap") }.sorted()
            .map { corpus + "/" + $0 }
        try #require(files.count > 100, "the corpus lists \(files.count) captures")
        let inline = try replay(files, decodesAhead: false, threads: (false, false))
        let ahead = try replay(files, decodesAhead: true, threads: (true, true))
        #expect(inline.devices.count > 100)
        #expect(ahead == inline)
    }

    /// A file cut in the middle of a record: the frames before the cut are processed and the same
    /// error is reported either way.
    @Test func replay_truncatedCapture_sameFramesAndError_decodingAhead() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleCapture))
        let cut = TestPaths.temporaryDirectory().appendingPathComponent("cut.pcap")
        try bytes.prefix(bytes.count * 2 / 3).write(to: cut)
        let inline = try replay([cut.path], decodesAhead: false, threads: (false, false))
        let ahead = try replay([cut.path], decodesAhead: true, threads: (true, true))
        #expect(inline.reports.first?.contains("truncated") == true, "\(inline.reports)")
        #expect(inline.statistics.frames > 20)
        #expect(ahead == inline)
    }

    /// Batches of 7 frames, one waiting at a time: every frame arrives once, in capture order, decoded
    /// as a reused `DecodeResult` decodes it.
    @Test func decodeAhead_smallBatches_everyFrameInCaptureOrder() throws {
        let reference = try PcapFileReader(path: TestPaths.sampleCapture)
        let decoder = FrameDecoder(linkType: reference.linkType)
        var result = DecodeResult()
        var expected = DecodedFrames()
        try reference.forEachPacket { bytes, wireLength, time in
            decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
            expected.append(result, wireLength: wireLength, time: time)
        }

        let reader = try PcapFileReader(path: TestPaths.sampleCapture)
        let ahead = try DecodeAhead(reader: reader, batchSize: 7, depth: 1)
        var index = 0
        var batches = 0
        while let batch = ahead.next() {
            batches += 1
            #expect(batch.count <= 7)
            for i in 0..<batch.count where index < expected.count {
                #expect(batch.frames[i].time == expected.frames[index].time)
                #expect(batch.frames[i].wireLength == expected.frames[index].wireLength)
                #expect(batch.frames[i].summary == expected.frames[index].summary)
                #expect(batch.frames[i].discovery == expected.frames[index].discovery)
                #expect(batch.observations(of: i) == expected.observations(of: index))
                index += 1
            }
        }
        #expect(ahead.finish() == nil)
        #expect(expected.count > 50)
        #expect(index == expected.count)
        #expect(reader.packetsRead == expected.count)
        #expect(batches == (expected.count + 6) / 7)
    }

    /// `finish()` before every batch was taken drops the rest and returns: the decoding thread does
    /// not wait for room that will never come.
    @Test(.timeLimit(.minutes(1))) func decodeAhead_finishedEarly_returnsWithoutDraining() throws {
        let reader = try PcapFileReader(path: TestPaths.sampleCapture)
        let ahead = try DecodeAhead(reader: reader, batchSize: 1, depth: 1)
        let first = try #require(ahead.next())
        #expect(first.count == 1)
        #expect(ahead.finish() == nil)
        #expect(reader.packetsRead > 1)
    }
}
