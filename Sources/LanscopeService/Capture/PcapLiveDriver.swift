import CapturePcap
import Glibc
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging
import Synchronization

/// The libpcap live backend: every frame through the pipeline, counters kept in userspace with the
/// same attribution the BPF programs use (frames from the interface's own MAC are egress).
final class PcapLiveDriver: CaptureDriver, @unchecked Sendable {
    let interface: String
    let mode: CaptureMode
    let logger: Logger
    private let capture: Mutex<PcapLiveCapture?>
    private let running = Atomic<Bool>(true)
    private let ready = Atomic<Bool>(false)
    private let up = Atomic<Bool>(false)
    private let linkUsable = Atomic<Bool>(true)
    private let kernelDrops = Mutex(PcapLiveCapture.Statistics(received: 0, dropped: 0, interfaceDropped: 0))

    init(interface: String, mode: CaptureMode, logger: Logger) throws(PcapCaptureError) {
        self.interface = interface
        self.mode = mode
        self.logger = logger
        capture = Mutex(try PcapLiveDriver.open(interface: interface, mode: mode))
        up.store(true, ordering: .relaxed)
    }

    static func open(interface: String, mode: CaptureMode) throws(PcapCaptureError) -> PcapLiveCapture {
        var configuration = PcapLiveCapture.Configuration(interface: interface)
        configuration.promiscuous = mode == .span
        return try PcapLiveCapture(configuration)
    }

    func run(into pipeline: Pipeline) {
        ready.store(true, ordering: .relaxed)
        var current: PcapLiveCapture? = capture.withLock { $0 }
        var lastIdle = monotonicMilliseconds()
        while running.load(ordering: .relaxed) {
            guard let live = current else {
                // Interface gone: retry every second until it comes back.
                sleepMilliseconds(1000)
                pipeline.idle(now: SystemClock().now())
                checkLink()
                if let reopened = try? PcapLiveDriver.open(interface: interface, mode: mode) {
                    logger.notice(
                        "capture interface is back; libpcap capture reopened", metadata: ["interface": "\(interface)"])
                    capture.withLock { $0 = reopened }
                    current = reopened
                    up.store(true, ordering: .relaxed)
                }
                continue
            }
            let own = live.interfaceMAC
            let linkType = live.linkType
            let span = mode == .span
            do {
                let n = try live.dispatch { bytes, wireLength, time in
                    let attribution: DeviceRegistry.Attribution
                    if span {
                        attribution = .sourceAndDestination
                    } else if let own, bytes.count >= 12, MACAddress(octets: bytes[6..<12]) == own {
                        attribution = .destinationOnly
                    } else {
                        attribution = .sourceOnly
                    }
                    pipeline.process(
                        bytes, wireLength: wireLength, time: time, linkType: linkType, attribution: attribution)
                }
                if n == 0 || monotonicMilliseconds() - lastIdle >= 1_000 {
                    lastIdle = monotonicMilliseconds()
                    pipeline.idle(now: SystemClock().now())
                    checkLink()
                }
                let stats = live.statistics()
                kernelDrops.withLock { $0 = stats }
            } catch {
                logger.warning(
                    "capture interface lost; will reopen when it returns",
                    metadata: ["interface": "\(interface)", "error": "\(error)"])
                up.store(false, ordering: .relaxed)
                capture.withLock { $0 = nil }
                current = nil
            }
        }
        pipeline.publishStatistics()
    }

    /// Tracks whether the interface can deliver frames (exists, up, carrier) and logs each transition.
    func checkLink() {
        let link = LinkState.current(interface)
        let before = linkUsable.exchange(link.usable, ordering: .relaxed)
        guard before != link.usable else { return }
        if link.usable {
            logger.notice("capture is up again: frames can arrive", metadata: ["interface": "\(interface)"])
        } else {
            logger.warning(
                "capture is down: no frames can arrive",
                metadata: ["interface": "\(interface)", "reason": "\(link.description)"])
        }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        capture.withLock { $0?.breakLoop() }
    }

    func maintain(registry: DeviceRegistry, now: Timestamp) {}
    var isReady: Bool { ready.load(ordering: .relaxed) }
    func deviceTraffic() -> DeviceTrafficTable? { nil }

    func captureStatus() -> CaptureStatus {
        let drops = kernelDrops.withLock { $0 }
        return CaptureStatus(
            backend: "pcap", mode: mode.rawValue, interface: interface,
            up: up.load(ordering: .relaxed) && linkUsable.load(ordering: .relaxed),
            dropped: ["kernel_buffer": drops.dropped, "interface": drops.interfaceDropped])
    }
}

func sleepMilliseconds(_ ms: Int) {
    var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}
