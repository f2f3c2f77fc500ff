import CaptureEBPF
import Glibc
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging
import Synchronization

/// The eBPF backend: XDP ingress + TC egress count per device in the kernel; discovery frames come
/// up through the perf buffer into the pipeline; `/metrics` reads the per-CPU map at scrape time.
final class EBPFDriver: CaptureDriver, @unchecked Sendable {
    let capture: EBPFCapture
    let interface: String
    let mode: CaptureMode
    let logger: Logger
    /// Devices idle in the kernel map longer than this are deleted from it (default 24 h).
    let idleExpiry: Duration
    private let running = Atomic<Bool>(true)
    private let ready = Atomic<Bool>(false)
    private let expired = Atomic<UInt64>(0)
    /// Frames can arrive now: programs attached to the interface that exists under that name, up, with carrier.
    private let up = Atomic<Bool>(true)

    init(capture: EBPFCapture, interface: String, mode: CaptureMode, idleExpiry: Duration, logger: Logger) {
        self.capture = capture
        self.interface = interface
        self.mode = mode
        self.idleExpiry = idleExpiry
        self.logger = logger
    }

    func run(into pipeline: Pipeline) {
        ready.store(true, ordering: .relaxed)
        var lastSync = monotonicMilliseconds() - 10_000
        var lastIdle = monotonicMilliseconds()
        while running.load(ordering: .relaxed) {
            let nowMs = monotonicMilliseconds()
            if nowMs - lastSync >= 5_000 {
                lastSync = nowMs
                // Devices that only ever passed traffic (no discovery frame) still belong in the
                // inventory; this runs on the capture thread because the pipeline is single-writer.
                let table = capture.readDeviceTable()
                let unknown = pipeline.registry.unknown(among: table.macs)
                pipeline.noteDevices(unknown.map { (table.macs[$0], table.lastSeen[$0]) })
            }
            let n = capture.poll(timeout: .milliseconds(200)) { frame in
                frame.bytes.withUnsafeBytes { raw in
                    // The kernel already counted the frame; here it only feeds discovery, so the
                    // registry must not count it again.
                    pipeline.process(
                        raw, wireLength: frame.wireLength, time: frame.time, linkType: .ethernet,
                        attribution: frame.direction == .ingress ? .sourceOnly : .destinationOnly)
                }
            }
            // Ticks, published statistics and the link check must not wait for traffic: once a second.
            if n == 0 || monotonicMilliseconds() - lastIdle >= 1_000 {
                lastIdle = monotonicMilliseconds()
                pipeline.idle(now: SystemClock().now())
                checkLink()
            }
        }
        pipeline.publishStatistics()
    }

    /// Updates `up` from the interface and the attachment, logging each transition; reattaches at once
    /// when the interface came back.
    func checkLink() {
        var link = LinkState.current(interface)
        var attached = capture.attachedInterfaceIndex
        if link.exists, attached != Int(link.ifindex), capture.reattachIfNeeded() {
            link = LinkState.current(interface)
            attached = capture.attachedInterfaceIndex
        }
        let now = link.usable && attached == Int(link.ifindex)
        let before = up.exchange(now, ordering: .relaxed)
        guard now != before else { return }
        if now {
            logger.notice("capture is up again: frames can arrive", metadata: ["interface": "\(interface)"])
        } else {
            let reason = link.usable ? "programs not attached to this interface" : link.description
            logger.warning(
                "capture is down: no frames can arrive", metadata: ["interface": "\(interface)", "reason": "\(reason)"])
        }
    }

    /// Stops the loop and detaches the programs (traffic is no longer counted from here on).
    func stop() {
        running.store(false, ordering: .relaxed)
        capture.detach()
    }

    func maintain(registry: DeviceRegistry, now: Timestamp) {
        if capture.reattachIfNeeded() {
            logger.notice("interface changed; BPF programs reattached", metadata: ["interface": "\(interface)"])
        }
        let removed = capture.expireDevices(idleLongerThan: idleExpiry)
        if removed > 0 { expired.add(UInt64(removed), ordering: .relaxed) }
    }

    var isReady: Bool { ready.load(ordering: .relaxed) }

    func deviceTraffic() -> DeviceTrafficTable? { capture.readDeviceTable() }

    func captureStatus() -> CaptureStatus {
        var dropped: [String: UInt64] = [:]
        for (reason, n) in capture.readDropCounters() { dropped[reason.rawValue] = n }
        return CaptureStatus(
            backend: "ebpf", mode: mode.rawValue, interface: interface,
            up: up.load(ordering: .relaxed), dropped: dropped,
            maps: ["devices": (capture.lastReadEntryCount ?? capture.mapEntryCount(), capture.mapCapacity)])
    }
}

/// The eBPF backend's scrape-time counters over a loaded (not necessarily attached) capture: what
/// `/metrics` reads in `--backend ebpf`, for measuring the whole scrape path.
@_spi(Benchmark)
public func kernelTrafficSource(capture: EBPFCapture, interface: String = "bench") -> any TrafficSource {
    EBPFDriver(
        capture: capture, interface: interface, mode: .gateway, idleExpiry: .seconds(86_400),
        logger: Logger(label: "lanscope.bench"))
}

func monotonicMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
