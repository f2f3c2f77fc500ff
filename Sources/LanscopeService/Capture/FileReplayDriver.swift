import History
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging
import Synchronization

/// `run --pcap FILE`: replays the file once through the pipeline, then keeps serving the result.
final class FileReplayDriver: CaptureDriver, @unchecked Sendable {
    let path: String
    let logger: Logger
    let registry: DeviceRegistry
    let history: HistoryStore?
    private let state = Mutex<(ready: Bool, report: ReplayRunner.FileReport?)>((false, nil))
    private let onFinished: @Sendable (ReplayRunner.FileReport, ReplayRunner) -> Void

    init(
        path: String, registry: DeviceRegistry, history: HistoryStore?, logger: Logger,
        onFinished: @escaping @Sendable (ReplayRunner.FileReport, ReplayRunner) -> Void
    ) {
        self.path = path
        self.registry = registry
        self.history = history
        self.logger = logger
        self.onFinished = onFinished
    }

    func run(into pipeline: Pipeline) {
        let runner = ReplayRunner(pipeline: pipeline, history: history)
        let report = runner.replay(path: path)
        if let error = report.error {
            logger.error(
                "capture file problem",
                metadata: ["file": "\(path)", "error": "\(error)", "packets_read": "\(report.packets)"])
        }
        logger.info(
            "replay finished",
            metadata: ["file": "\(path)", "packets": "\(report.packets)", "devices": "\(registry.count)"])
        onFinished(report, runner)
        state.withLock { $0 = (true, report) }
    }

    func stop() {}
    func maintain(registry: DeviceRegistry, now: Timestamp) {}
    var isReady: Bool { state.withLock { $0.ready } }

    func deviceTraffic() -> DeviceTrafficTable? { nil }

    func captureStatus() -> CaptureStatus {
        let report = state.withLock { $0.report }
        // The file name, not the path: the label stays stable wherever the capture lives.
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return CaptureStatus(
            backend: "file", mode: "replay", interface: name, up: report != nil && report?.error == nil)
    }
}
