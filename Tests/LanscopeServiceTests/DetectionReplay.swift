import CapturePcap
import Foundation
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging
import PacketDecoding
import Synchronization

@testable import LanscopeService

/// Runs captures through fresh service pipelines (the stages `run` and `replay` use) and collects every
/// event raised, in order, the way each capture backend would feed them.
enum DetectionReplay {
    /// The synthetic LAN with one of each attack (Tests/Scripts/make_attack_capture.py).
    static let attackCapture = TestPaths.testsDirectory.appendingPathComponent("Fixtures/attacks.pcap").path

    /// How frames reach the pipeline.
    enum Feed {
        /// `lanscope replay`: every frame, counted for both ends.
        case replay
        /// The libpcap live driver on a sensor with MAC `sensor`: every frame; the sensor's own frames
        /// count for their destination, every other frame for its source. Ticks read the registry.
        case libpcap(sensor: MACAddress)
        /// The eBPF driver: the kernel counts every frame (with the same attribution) in its device table
        /// and hands up only discovery frames and TCP SYNs (token bucket per source: `synRate`/s, burst
        /// `synBurst`, as `bpf/lanscope.bpf.c`); ticks read the kernel table, and devices the table holds
        /// but the inventory does not are noted every 5 s (as `EBPFDriver`).
        case ebpf(sensor: MACAddress, synRate: Double = 50, synBurst: Double = 100)
    }

    /// Collects events from the pipeline's sink (capture thread only; read after the run).
    final class EventLog: Sendable {
        let events = Mutex<[AnomalyEvent]>([])
        func append(_ event: AnomalyEvent) { events.withLock { $0.append(event) } }
    }

    /// Every event raised replaying `paths` (in order) through one fresh pipeline fed as `feed`.
    static func events(_ paths: [String], feed: Feed = .replay) throws -> [AnomalyEvent] {
        // The vendor registry `lanscope replay` gets in the tests (summaries name the vendor).
        let vendors = VendorDirectory.load(path: TestPaths.ouiFixture, logger: Logger(label: "test"))
        let pipeline = Pipeline(
            registry: DeviceRegistry(vendorLookup: vendors.lookup), stages: ServiceStages.make(known: []))
        let log = EventLog()
        pipeline.setEventSink { log.append($0) }
        switch feed {
        case .replay:
            let runner = ReplayRunner(pipeline: pipeline)
            for path in paths {
                let report = runner.replay(path: path)
                if let error = report.error { throw ReplayFailure(path: path, reason: error) }
            }
        case .libpcap(let sensor):
            var last: Timestamp?
            for path in paths {
                let reader = try PcapFileReader(path: path)
                let linkType = reader.linkType
                try reader.forEachPacket { bytes, wireLength, time in
                    last = time
                    let fromSensor = bytes.count >= 12 && MACAddress(octets: bytes[6..<12]) == sensor
                    pipeline.process(
                        bytes, wireLength: wireLength, time: time, linkType: linkType,
                        attribution: fromSensor ? .destinationOnly : .sourceOnly)
                }
            }
            if let last { pipeline.finish(at: last) }
        case .ebpf(let sensor, let synRate, let synBurst):
            let kernel = DeviceRegistry()
            pipeline.setTrafficReader { kernel.trafficTable() }
            var tokens: [MACAddress: (tokens: Double, updated: Timestamp)] = [:]
            var lastSync: Timestamp?
            var last: Timestamp?
            for path in paths {
                let reader = try PcapFileReader(path: path)
                let decoder = FrameDecoder(linkType: reader.linkType)
                var result = DecodeResult()
                try reader.forEachPacket { bytes, wireLength, time in
                    last = time
                    result.reset()
                    decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
                    let summary = result.summary
                    let egress = summary.source == sensor
                    let attribution: DeviceRegistry.Attribution = egress ? .destinationOnly : .sourceOnly
                    _ = kernel.count(summary, at: time, attribution: attribution)
                    let isSYN = summary.transport == 6 && summary.tcpFlags & 0x12 == 0x02
                    var handUp = result.discovery != nil
                    if !handUp && isSYN && !summary.source.isMulticast {
                        // RFC 2697-style single-rate bucket, as the kernel's ls_syn_admit.
                        var bucket = tokens[summary.source] ?? (synBurst, time)
                        let elapsed = Double(time.nanoseconds - bucket.updated.nanoseconds) / 1e9
                        bucket.tokens = min(synBurst, bucket.tokens + max(0, elapsed) * synRate)
                        bucket.updated = time
                        if bucket.tokens >= 1 {
                            bucket.tokens -= 1
                            handUp = true
                        }
                        tokens[summary.source] = bucket
                    }
                    if handUp {
                        pipeline.process(
                            bytes, wireLength: wireLength, time: time, linkType: reader.linkType,
                            attribution: attribution)
                    }
                    // The driver's 5-second table sync, after the frame: the perf buffer is drained within
                    // 200 ms, so a device's first discovery frame normally arrives before the sync finds it
                    // in the table. (A sync in between would create it without the frame's facts: its
                    // `new_device` would carry no hostname; the same event otherwise.)
                    if lastSync.map({ time - $0 >= .seconds(5) }) ?? true {
                        lastSync = time
                        let table = kernel.trafficTable()
                        let unknown = pipeline.registry.unknown(among: table.macs)
                        pipeline.noteDevices(unknown.map { (table.macs[$0], table.lastSeen[$0]) })
                    }
                }
            }
            if let last { pipeline.finish(at: last) }
        }
        return log.events.withLock { $0 }
    }

    /// A capture the test relies on could not be read to its end.
    struct ReplayFailure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }
}

extension AnomalyEvent {
    /// Every field, on one line: what the determinism tests compare and print on a mismatch.
    var fingerprint: String {
        let related = relatedMACs.map(\.description).joined(separator: ",")
        let evidence = details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        return
            "\(time.nanoseconds) \(kind.rawValue) \(severity.rawValue) \(mac?.description ?? "-") [\(related)] "
            + "\(endTime.map { String($0.nanoseconds) } ?? "-") \(summary) {\(evidence)}"
    }
}
