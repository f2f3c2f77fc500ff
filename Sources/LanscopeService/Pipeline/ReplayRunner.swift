import CapturePcap
import History
import Inventory
import LanscopeCore
import LanscopePipeline
import PacketDecoding
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// Replays capture files through the pipeline (the clock is the packets' own timestamps) and stores
/// the result. Used by `lanscope replay`, `lanscope run --pcap` and the tests.
public final class ReplayRunner {
    public struct FileReport: Sendable {
        public var path: String
        public var packets: Int = 0
        public var bytes: UInt64 = 0
        public var linkType: LinkType?
        /// Set when the file could not be read, or not to the end (packets read so far still count).
        public var error: String?
        public var firstPacket: Timestamp?
        public var lastPacket: Timestamp?
        public var captureKey: String?
        /// Traffic this file contributed, per device.
        public var traffic: [MACAddress: TrafficCounters] = [:]
    }

    public let pipeline: Pipeline
    /// Where evidence goes when the pending set fills during a long replay (nil: no history, and what
    /// piles up is let go rather than counted as lost).
    public let history: HistoryStore?
    /// The first error writing history mid-replay; `store` rethrows it.
    public private(set) var flushError: HistoryError?

    public init(pipeline: Pipeline, history: HistoryStore? = nil) {
        self.pipeline = pipeline
        self.history = history
    }

    /// Pending distinct facts (device and fact) at which a replay writes them out (default half the
    /// pending set's capacity), so a capture with more distinct facts than the set holds loses none.
    /// It also writes out once half of `Pipeline.PendingHistory.observationCapacity` observations wait.
    /// Checked every `min(8192, flushThreshold)` frames on what was pending at the previous check
    /// (after its write, if it wrote): the thread keeping evidence is then never waited for only to
    /// count, and the other half of the set is the room for the frames in between.
    public var flushThreshold = Pipeline.PendingHistory.capacity / 2

    /// Read and decode each file on a second thread, in batches, while this one runs the pipeline
    /// (default true; see `DecodeAhead`). What a replay learns and stores is the same either way; off,
    /// or when the thread cannot start, frames are decoded one by one on the calling thread.
    public var decodesAhead = true

    /// Frames per batch decoded ahead (`DecodeAhead.defaultBatchSize`; tests make it small).
    var decodeBatchSize = DecodeAhead.defaultBatchSize

    /// Whether the latest `replay(path:)` decoded on a second thread and kept evidence on a third
    /// (tests check the path they mean to compare actually ran).
    private(set) var lastReplayThreads = (decodedAhead: false, keptEvidence: false)

    /// Writes on the way so far (tests check the writes they compare did happen).
    private(set) var flushes = 0

    /// Writes (or, without history, lets go of) what the pipeline gathered so far. Only devices with
    /// something new beyond a later `last_seen` are rewritten on the way (`revisedDevices`): `store`
    /// writes every device at the end, and a device row merges to the same result either way (times
    /// by min/max, values newest-wins, sets by union of what was ever held).
    func flushPending() {
        flushes += 1
        let pending = pipeline.takePendingHistory()
        guard let history, flushError == nil else { return }
        let devices = pending.revisedDevices.compactMap { pipeline.registry.device($0) }
        do { try history.write(Self.batch(pending, devices: devices)) } catch { flushError = error }
    }

    /// What a flush or the final store writes: the held evidence, changes and anomalies, and the device
    /// rows (the store takes their identity only: stored traffic is per capture, `FileReport.traffic`).
    /// The devices go as they are: clearing their traffic would copy every one out of the registry's
    /// storage, which the snapshot shares, only for the store to ignore it.
    private static func batch(_ pending: Pipeline.PendingHistory, devices: [Device]) -> HistoryBatch {
        HistoryBatch(
            devices: devices, anomalies: pending.anomalies, changes: pending.changes,
            factTimes: PendingFacts(evidence: pending.evidence))
    }

    /// Processes one file. Never throws: unreadable or truncated files are reported in the result.
    public func replay(path: String) -> FileReport {
        var report = FileReport(path: path)
        let flushThreshold = self.flushThreshold
        let before = trafficByDevice()
        do {
            let reader = try PcapFileReader(path: path)
            report.linkType = reader.linkType
            let linkType = reader.linkType
            let pipeline = self.pipeline
            var first: Timestamp?
            var last: Timestamp?
            var bytes: UInt64 = 0
            var sinceCheck = 0
            let checkInterval = min(8192, flushThreshold)
            var keeper: EvidenceKeeper?
            // What was pending at the previous check, after its write (none after one). The same on
            // either path: the keeper counts at each check's batch end when it gets there.
            var previous = (facts: 0, observations: 0)
            var checks = 0
            var wroteAtPreviousCheck = false
            /// After each frame the pipeline processed, in capture order, whichever thread decoded it.
            func processed(wireLength: Int, time: Timestamp) {
                if first == nil { first = time }
                last = time
                bytes &+= UInt64(max(wireLength, 0))
                sinceCheck += 1
                guard sinceCheck >= checkInterval else { return }
                sinceCheck = 0
                check()
            }
            /// After a whole batch, when every check falls on a batch's end (the evidence keeper's
            /// path): what `processed` does for each of its frames, once.
            func processed(_ batch: DecodedFrames) {
                guard let batchFirst = batch.firstTime, let batchLast = batch.lastTime else { return }
                if first == nil { first = batchFirst }
                last = batchLast
                bytes &+= batch.wireBytes
                sinceCheck += batch.count
                guard sinceCheck >= checkInterval else { return }
                sinceCheck -= checkInterval
                check()
            }
            /// Every `checkInterval` frames: writes what is pending once enough is.
            func check() {
                checks += 1
                if let keeper {
                    // Checks fall on batch ends (below): the keeper counts once it has added every frame
                    // before this one. The count at the previous check is ready by now, as a rule.
                    if checks > 1 {
                        let counted = keeper.takeCount()
                        previous = wroteAtPreviousCheck ? (0, 0) : counted
                    }
                    keeper.countAtLatestBatch()
                }
                let writes =
                    previous.facts >= flushThreshold
                    || previous.observations >= Pipeline.PendingHistory.observationCapacity / 2
                if writes {
                    // The write holds exactly the frames before this one.
                    if let keeper { pipeline.notePendingObservationsDropped(keeper.wait()) }
                    self.flushPending()
                }
                wroteAtPreviousCheck = writes
                if keeper == nil { previous = writes ? (0, 0) : pipeline.pendingEvidenceCount }
            }
            let batchSize = decodeBatchSize
            if decodesAhead, let ahead = try? DecodeAhead(reader: reader, batchSize: batchSize) {
                // Evidence goes to a third thread when every flush check falls on a batch's end: only
                // whole batches reach it, and a flush must hold exactly the frames before it.
                if checkInterval % batchSize == 0 { keeper = try? EvidenceKeeper(pipeline: pipeline) }
                lastReplayThreads = (true, keeper != nil)
                while let batch = ahead.next() {
                    if let keeper {
                        // Only the last batch is short, so the checks fall on batch ends.
                        pipeline.process(batch, keepingEvidence: false)
                        keeper.hand(batch)
                        processed(batch)
                    } else {
                        pipeline.process(batch) { _, wireLength, time in processed(wireLength: wireLength, time: time) }
                    }
                }
                if let keeper { pipeline.notePendingObservationsDropped(keeper.finish()) }
                if let error = ahead.finish() { report.error = error.description }
            } else {
                lastReplayThreads = (false, false)
                do {
                    try reader.forEachPacket { data, wireLength, time in
                        pipeline.process(data, wireLength: wireLength, time: time, linkType: linkType)
                        processed(wireLength: wireLength, time: time)
                    }
                } catch {
                    report.error = error.description
                }
            }
            report.packets = reader.packetsRead
            report.bytes = bytes
            report.firstPacket = first
            report.lastPacket = last
        } catch {
            report.error = error.description
        }
        if let last = report.lastPacket { pipeline.finish(at: last) } else { pipeline.publishStatistics() }
        if report.packets > 0 {
            report.captureKey = CaptureFingerprint.key(
                path: path, packets: report.packets,
                firstNanos: report.firstPacket?.nanoseconds ?? 0,
                lastNanos: report.lastPacket?.nanoseconds ?? 0)
            let after = trafficByDevice()
            report.traffic.reserveCapacity(after.count)
            for (mac, counters) in after {
                // A device new in this file counted all of its traffic here: no difference to take.
                let delta = before[mac].map { counters.subtracting($0) } ?? counters
                if delta.transmittedPackets > 0 || delta.receivedPackets > 0 { report.traffic[mac] = delta }
            }
        }
        return report
    }

    private func trafficByDevice() -> [MACAddress: TrafficCounters] {
        var out: [MACAddress: TrafficCounters] = [:]
        for d in pipeline.registry.snapshot() { out[d.mac] = d.traffic }
        return out
    }

    /// Writes what the pipeline learned, and each file's traffic under its capture key, to history.
    /// Replaying the same file again replaces its traffic rows instead of adding to them.
    public func store(_ reports: [FileReport], into store: HistoryStore, ingestedAt: Timestamp) throws(HistoryError) {
        if let flushError { throw flushError }
        let written = Written(pipeline.takePendingHistory())
        written.batch = Self.batch(written.pending!, devices: pipeline.registry.snapshot())
        var captures = reports.compactMap { report -> HistoryBatch? in
            guard let key = report.captureKey else { return nil }
            let record = CaptureRecord(
                captureKey: key, source: report.path, firstPacket: report.firstPacket,
                lastPacket: report.lastPacket, packets: UInt64(report.packets), ingestedAt: ingestedAt)
            return HistoryBatch(capture: record, traffic: report.traffic)
        }
        // The first file's capture and traffic share the devices' transaction (one commit fewer; the
        // device cap admits in the same order: the devices, then their observations, then traffic).
        if !captures.isEmpty {
            let first = captures.removeFirst()
            written.batch!.capture = first.capture
            written.batch!.traffic = first.traffic
        }
        try store.write(written.batch!)
        for capture in captures { try store.write(capture) }
        // What the write consumed (a replay's ~30,000 held facts with their times) is freed on a
        // helper thread: ~10 ms the replay's report need not wait for. Inline when none starts.
        if let thread = try? POSIXThread.start(name: "ls-release", { written.clear() }) {
            pthread_detach(thread)
        } else {
            written.clear()
        }
    }

    /// The final write's input. Only this object holds it (every use reads it through here), so
    /// the thread that calls `clear()` is the one that frees it.
    private final class Written: @unchecked Sendable {
        var pending: Pipeline.PendingHistory?
        var batch: HistoryBatch?

        init(_ pending: Pipeline.PendingHistory) { self.pending = pending }

        func clear() {
            batch = nil
            pending = nil
        }
    }
}

extension TrafficCounters {
    func subtracting(_ o: TrafficCounters) -> TrafficCounters {
        var d = TrafficCounters()
        d.transmittedPackets = transmittedPackets &- o.transmittedPackets
        d.transmittedBytes = transmittedBytes &- o.transmittedBytes
        d.receivedPackets = receivedPackets &- o.receivedPackets
        d.receivedBytes = receivedBytes &- o.receivedBytes
        for (k, v) in byClass {
            let old = o.byClass[k] ?? PacketByteCount()
            let diff = PacketByteCount(packets: v.packets &- old.packets, bytes: v.bytes &- old.bytes)
            if diff.packets > 0 { d.byClass[k] = diff }
        }
        return d
    }
}

/// A replay's pending evidence, handed to the store as it is held: the store's helper thread reads it
/// while the device rows are written (`HistoryBatch.factTimes`).
struct PendingFacts: GroupedFacts {
    let evidence: PendingEvidence

    var groupCount: Int { evidence.factCount }

    /// Every held fact has a time.
    var devicesWithTimes: Set<MACAddress> { evidence.devices }

    func forEachGroup(_ body: (_ mac: MACAddress, _ fact: Fact, _ times: [Timestamp]) -> Void) {
        evidence.forEachFact(body)
    }
}
