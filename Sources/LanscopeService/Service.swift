import CaptureEBPF
import CapturePcap
import Detection
import Exposition
import Fingerprinting
import Glibc
import HTTPServer
import History
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging
import Platform
import Synchronization

/// Configuration of `lanscope run`.
public struct ServiceConfiguration: Sendable {
    public enum Source: Sendable, Equatable {
        /// Replay a capture file, then keep serving (no root needed).
        case file(String)
        /// Live capture on a LAN interface.
        case interface(String)
    }

    public enum Backend: String, Sendable, CaseIterable {
        /// eBPF when permitted, else libpcap with one log line saying why.
        case auto, ebpf, pcap
    }

    public var source: Source
    public var mode: CaptureMode = .host
    public var backend: Backend = .auto
    /// Listen address (default `:9184`: all interfaces, IPv6 and IPv4).
    public var listen: String = ":9184"
    /// History database; nil runs without history.
    public var databasePath: String?
    /// Take over an interface another lanscope owns (it is asked to stop) instead of refusing.
    public var replaceRunning: Bool = false
    /// The database path was given explicitly (`--db`): failing to open it stops the service instead of
    /// running without history until it can be opened.
    public var databaseRequired: Bool = false
    /// When the database cannot be opened at start (and is not required), how often the service tries
    /// again (default 30 s; each try is one open on the history thread's next write).
    public var databaseRetryInterval: Duration = .seconds(30)
    public var ouiPath: String?
    /// Directory of extra classifier signature files (`*.tsv`) adding to / overriding the built-in set.
    public var signaturesPath: String?
    /// Prometheus web-config style file with `basic_auth_users:` (bcrypt hashes) and/or
    /// `tls_server_config:` (HTTPS, mutual TLS).
    public var basicAuthUsersFile: String?
    /// File holding a bearer token.
    public var bearerTokenFile: String?
    /// Devices the inventory and the BPF map hold (default 16384).
    public var maxDevices: Int = 16_384
    public var metrics = MetricsCollector.Configuration()
    /// HTTP server limits (connections in total and per address, send-stall timeout, pending-response memory…).
    public var httpLimits = HTTPServer.Limits()
    /// Devices not seen for this long leave the inventory, the BPF map and `/metrics` (default 24 h);
    /// they stay in history.
    public var deviceTTL: Duration = .seconds(86_400)
    /// How often the maintenance loop flushes history, expires devices and checks the interface
    /// (default 5 s).
    public var maintenanceInterval: Duration = .seconds(5)
    /// Detector thresholds and trusted servers (`--detection-config`; default: the detectors' defaults).
    public var detection = DetectionConfiguration()
    /// Length of a live traffic sample in history (`--history-interval`, default 10 s). Shorter than
    /// the pipeline's 10 s tick, the tick follows it.
    public var historyInterval: Duration = .seconds(10)
    /// How long history keeps raw, hourly and daily samples (`--retention`).
    public var retention = RetentionPolicy()
    /// How often the history thread runs a bounded retention pass (default 10 s: at 10,000 devices all
    /// active, a minute brings 60,000 raw samples to fold; six passes a minute fold up to 192,000).
    public var retentionEvery: Duration = .seconds(10)

    public init(source: Source) { self.source = source }
}

public enum ServiceError: Error, CustomStringConvertible {
    case captureUnavailable(String)
    case http(String)
    case authentication(String)
    case vendorRegistry(String)
    case history(String)
    case signatures(String)

    public var description: String {
        switch self {
        case .history(let s): return s
        case .captureUnavailable(let s): return s
        case .http(let s): return "cannot start the HTTP server: \(s)"
        case .authentication(let s): return "authentication configuration: \(s)"
        case .vendorRegistry(let s): return s
        case .signatures(let s): return "signature files: \(s)"
        }
    }
}

/// The running service: capture thread → pipeline → registry; maintenance thread → history,
/// expiry, reattach; HTTP server threads → snapshots.
public final class Service: @unchecked Sendable {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let registry: DeviceRegistry
    public let pipeline: Pipeline
    public let counters = ServiceCounters()
    public let history: HistoryStore?
    let writer: HistoryWriter?
    /// Live sources with history only: ticks → samples and presence for the writer.
    let sampler: HistorySampler?
    private let captureFinished = Atomic<Bool>(false)
    let driver: any CaptureDriver
    /// Held for the service's lifetime when it attaches to an interface (one owner per interface).
    let ownership: InterfaceOwnership?
    public let clock: any Clock
    public let routes: ServiceRoutes
    private var server: HTTPServer?
    private let stopping = Atomic<Bool>(false)

    public init(
        configuration: ServiceConfiguration, logger: Logger,
        processMetrics: (@Sendable () -> [MetricFamily])? = nil
    ) throws {
        self.configuration = configuration
        self.logger = logger
        let (vendors, parsedSignatures) = ServiceStages.identification(
            ouiPath: configuration.ouiPath, signaturesPath: configuration.signaturesPath, logger: logger)
        if configuration.ouiPath != nil, let error = vendors.loadError { throw ServiceError.vendorRegistry(error) }
        let signatures: SignatureSet
        do { signatures = try parsedSignatures.get() } catch {
            throw ServiceError.signatures(error.description)
        }

        var store: HistoryStore? = nil
        var known: [MACAddress] = []
        var storedEvents: [AnomalyEvent] = []
        if let path = configuration.databasePath {
            let storeConfiguration = HistoryStore.Configuration(
                maxDevices: configuration.maxDevices, presenceGap: configuration.metrics.presenceWindow)
            do {
                let opened =
                    configuration.databaseRequired
                    ? try HistoryStore(path: path, configuration: storeConfiguration)
                    : HistoryStore(
                        path: path, configuration: storeConfiguration,
                        retryingOpenEvery: configuration.databaseRetryInterval)
                if let error = opened.openError {
                    // Not open yet: capture and /metrics start without it, and the history thread's
                    // writes try again every interval until the file opens (then history resumes, logged).
                    logger.error(
                        "history database unavailable; running without history until it can be opened",
                        metadata: [
                            "path": "\(path)", "error": "\(error)",
                            "retry": "every \(configuration.databaseRetryInterval)",
                        ])
                    counters.updateStore { $0.errors &+= 1 }
                } else {
                    known = try opened.devices().map(\.mac)
                    storedEvents = try opened.anomalies(since: nil, limit: 1000)
                }
                store = opened
            } catch {
                if configuration.databaseRequired {
                    throw ServiceError.history("cannot open the history database \(path): \(error)")
                }
                logger.error(
                    "history database unreadable; running without history",
                    metadata: ["path": "\(path)", "error": "\(error)"])
                counters.updateStore { $0.errors &+= 1 }
            }
        }
        history = store
        let openedStore = store
        if let store { counters.setStoreDevicesRejected { store.devicesRejected } }

        // Choose the backend before building the registry: the eBPF maps count traffic themselves.
        if case .file(let path) = configuration.source {
            // A file that cannot be replayed is a start-up error, not an empty inventory served forever.
            do { _ = try PcapFileReader(path: path) } catch {
                throw ServiceError.captureUnavailable("cannot replay \(path): \(error.description)")
            }
        }
        var ownership: InterfaceOwnership? = nil
        if case .interface(let name) = configuration.source, configuration.backend != .pcap {
            do {
                ownership = try InterfaceOwnership.acquire(
                    interface: name, listen: configuration.listen,
                    replace: configuration.replaceRunning, logger: logger)
            } catch {
                throw ServiceError.captureUnavailable(error.description)
            }
        }
        self.ownership = ownership
        let chosen = try Service.makeDriver(configuration: configuration, logger: logger)
        var registryConfiguration = DeviceRegistry.Configuration()
        registryConfiguration.maxDevices = configuration.maxDevices
        registryConfiguration.countTraffic = chosen.countsInUserspace
        let registry = DeviceRegistry(configuration: registryConfiguration, vendorLookup: vendors.lookup)
        self.registry = registry
        var pipelineConfiguration = Pipeline.Configuration()
        if case .interface = configuration.source {
            pipelineConfiguration.deviceTTL = configuration.deviceTTL
            pipelineConfiguration.tickInterval = min(pipelineConfiguration.tickInterval, configuration.historyInterval)
        }
        // The learning period is for a fresh install: with history, the known MACs are not new anyway.
        if known.isEmpty, let period = configuration.detection.learningPeriod {
            pipelineConfiguration.learningPeriod = period
        }
        let pipeline = Pipeline(
            registry: registry,
            stages: ServiceStages.make(known: known, signatures: signatures, detection: configuration.detection),
            configuration: pipelineConfiguration)
        pipeline.restoreAnomalies(storedEvents)
        // A console user sees the network change: every event at info (warning and above at warning),
        // with the device's identity as the inventory knows it.
        pipeline.setEventSink { [registry] event in
            var metadata: Logger.Metadata = [
                "kind": "\(event.kind.rawValue)", "severity": "\(event.severity.rawValue)",
            ]
            if let mac = event.mac {
                metadata["mac"] = "\(mac)"
                if let device = registry.device(mac) {
                    if let ip = device.sortedAddresses.first { metadata["ip"] = "\(ip)" }
                    if let vendor = device.vendor { metadata["vendor"] = "\(TerminalText.sanitize(vendor))" }
                    if let hostname = device.hostname { metadata["hostname"] = "\(TerminalText.sanitize(hostname))" }
                }
            }
            if !event.relatedMACs.isEmpty {
                metadata["related"] = "\(event.relatedMACs.map(\.description).joined(separator: ","))"
            }
            let level: Logger.Level = event.severity == .info ? .info : .warning
            logger.log(level: level, "\(TerminalText.sanitize(event.summary))", metadata: metadata)
        }
        if case .ebpf(let d) = chosen {
            let capture = d.capture
            pipeline.setTrafficReader { capture.readDeviceTable() }
        }
        self.pipeline = pipeline

        let counters = self.counters
        let writer = store.map {
            HistoryWriter(store: $0, counters: counters, logger: logger, retention: configuration.retention)
        }
        self.writer = writer
        // Live samples only: a replayed file's traffic is stored per capture (replaying it twice counts once).
        var sampler: HistorySampler? = nil
        if store != nil, case .interface = configuration.source {
            let made = HistorySampler(interval: configuration.historyInterval) {
                counters.updateStore { $0.droppedBatches &+= 1 }
            }
            pipeline.setTickSink { made.record($0) }
            sampler = made
        }
        self.sampler = sampler
        let driver: any CaptureDriver
        switch chosen {
        case .file(let path):
            driver = FileReplayDriver(path: path, registry: registry, history: openedStore, logger: logger) {
                report, runner in
                guard let store = openedStore else { return }
                do {
                    try runner.store([report], into: store, ingestedAt: SystemClock().now())
                    counters.updateStore { $0.writes &+= 1 }
                } catch {
                    counters.updateStore { $0.errors &+= 1 }
                    logger.error("history write failed", metadata: ["error": "\(error)"])
                }
            }
            clock = ReplayClock(pipeline: pipeline, fallback: SystemClock().now())
        case .pcap(let d):
            driver = d
            clock = SystemClock()
        case .ebpf(let d):
            driver = d
            clock = SystemClock()
        }
        self.driver = driver
        let collector = MetricsCollector(
            configuration: configuration.metrics, registry: registry, pipeline: pipeline, traffic: driver,
            counters: counters, clock: clock,
            processMetrics: processMetrics ?? { ProcessMetrics.collect() })
        routes = ServiceRoutes(
            collector: collector, pipeline: pipeline, history: store, clock: clock,
            readiness: { driver.isReady }, logger: logger)
        let routes = self.routes
        counters.setScrapeRenders { routes.scrapeRenders }
        logCaptureNotice()
    }

    enum ChosenDriver {
        case file(String)
        case pcap(PcapLiveDriver)
        case ebpf(EBPFDriver)

        var countsInUserspace: Bool {
            if case .ebpf = self { return false }
            return true
        }
    }

    static func makeDriver(configuration: ServiceConfiguration, logger: Logger) throws -> ChosenDriver {
        let interface: String
        switch configuration.source {
        case .file(let path): return .file(path)
        case .interface(let name): interface = name
        }
        // A name the kernel does not know: say so once, not first that eBPF fell back to libpcap.
        guard if_nametoindex(interface) != 0 else {
            throw ServiceError.captureUnavailable(PcapCaptureError.noSuchInterface(interface).description)
        }
        if configuration.backend != .pcap {
            do {
                let capture = try EBPFCapture.load(
                    EBPFCapture.Configuration(
                        interface: interface, mode: configuration.mode,
                        maxDevices: configuration.maxDevices), logger: logger)
                try capture.attach()
                return .ebpf(
                    EBPFDriver(
                        capture: capture, interface: interface, mode: configuration.mode,
                        idleExpiry: configuration.deviceTTL, logger: logger))
            } catch {
                if configuration.backend == .ebpf {
                    throw ServiceError.captureUnavailable("eBPF backend unavailable on \(interface): \(error)")
                }
                var metadata: Logger.Metadata = ["interface": "\(interface)", "reason": "\(error)"]
                if let missing = EBPFCapture.effectiveCapabilities()?.missing, !missing.isEmpty {
                    metadata["missing_capabilities"] = "\(missing.joined(separator: ","))"
                }
                logger.warning(
                    "eBPF capture unavailable; falling back to libpcap (counters kept in userspace)", metadata: metadata
                )
            }
        }
        do {
            return .pcap(try PcapLiveDriver(interface: interface, mode: configuration.mode, logger: logger))
        } catch {
            throw ServiceError.captureUnavailable(error.description)
        }
    }

    private func logCaptureNotice() {
        let status = driver.captureStatus()
        let sees: String
        switch (configuration.source, configuration.mode) {
        case (.file, _): sees = "everything in the capture file; clock = packet timestamps"
        case (_, .gateway): sees = "all traffic crossing this interface: full per-device counters and discovery"
        case (_, .span): sees = "mirrored traffic between devices: full per-device counters and discovery (not inline)"
        case (_, .host):
            sees =
                "only this host's own traffic plus broadcast/multicast discovery; per-device counters cover only conversations with this host"
        }
        logger.notice(
            "capture mode",
            metadata: [
                "backend": "\(status.backend)", "mode": "\(status.mode)",
                "interface": "\(status.interface)", "sees": "\(sees)",
            ])
    }

    /// Starts the HTTP server and the capture and maintenance threads. Returns the bound ports.
    @discardableResult
    public func start() throws -> [Int] {
        let ports = try startServer()
        let driver = self.driver
        let pipeline = self.pipeline
        let live: Bool
        if case .interface = configuration.source { live = true } else { live = false }
        let clock = self.clock
        POSIXThread.spawn(name: "ls-capture") { [self] in
            driver.run(into: pipeline)
            // A last tick once capture has stopped (BPF detached: the kernel's counters are final), so
            // history's samples cover everything /metrics counted.
            if live { pipeline.tick(at: clock.now()) }
            captureFinished.store(true, ordering: .releasing)
        }
        POSIXThread.spawn(name: "ls-maintenance") { [self] in maintenanceLoop() }
        return ports
    }

    private func startServer() throws -> [Int] {
        var authentication: Authentication? = nil
        var webConfig: WebConfigFile? = nil
        if let path = configuration.basicAuthUsersFile {
            // Read once: the users come from the same text whose structure was checked.
            do { webConfig = try WebConfigFile.load(path: path) } catch {
                throw ServiceError.authentication("\(error)")
            }
        }
        // A file with only tls_server_config asks for no passwords.
        let asksForPasswords = webConfig.map { $0.hasBasicAuthUsers || $0.tls == nil } ?? false
        if asksForPasswords || configuration.bearerTokenFile != nil {
            do {
                authentication = try Authentication.load(
                    realm: "lanscope", webConfig: asksForPasswords ? webConfig : nil,
                    bearerTokenFile: configuration.bearerTokenFile)
            } catch {
                throw ServiceError.authentication("\(error)")
            }
        }
        let counters = self.counters
        let server = HTTPServer(
            configuration: .init(
                listen: configuration.listen, limits: configuration.httpLimits,
                authentication: authentication, tls: webConfig?.tls),
            router: routes.makeRouter(), logger: logger
        ) { record in
            counters.countRequest(route: record.route, code: record.statusCode)
        }
        let ports: [Int]
        do { ports = try server.start() } catch { throw ServiceError.http("\(error)") }
        self.server = server
        counters.setHTTPTransport { server.statistics() }
        logger.notice("serving", metadata: ["listen": "\(configuration.listen)", "ports": "\(ports)"])
        if authentication == nil, HTTPServer.listensOnEveryInterface(configuration.listen) == true {
            // The exporter convention, but the inventory is sensitive: say so once, at start-up.
            logger.warning(
                "serving the device inventory on every interface without authentication; anyone who can reach the port reads it",
                metadata: [
                    "listen": "\(configuration.listen)",
                    "hint": "--listen 127.0.0.1:9184, or --web-config-file / --bearer-token-file",
                ])
        }
        return ports
    }

    /// Runs the capture loop on the calling thread (a file source returns when the replay is done).
    /// For tests and benchmarks; `start()` runs it on its own thread.
    func runCaptureInline() { driver.run(into: pipeline) }

    /// Starts only the HTTP server (tests that drive the capture themselves).
    func startServerOnly() throws -> [Int] {
        try startServer()
    }

    private func maintenanceLoop() {
        var elapsed = Duration.zero
        var sinceRetention = Duration.zero
        let tick = Duration.milliseconds(250)
        while !stopping.load(ordering: .relaxed) {
            sleepMilliseconds(250)
            elapsed += tick
            sinceRetention += tick
            if sinceRetention >= configuration.retentionEvery {
                sinceRetention = .zero
                writer?.requestRetention(now: clock.now())
            }
            guard elapsed >= configuration.maintenanceInterval else { continue }
            elapsed = .zero
            maintain()
        }
    }

    /// One maintenance round: history flush, expiry, backend upkeep.
    public func maintain() {
        let now = clock.now()
        driver.maintain(registry: registry, now: now)
        flushHistory()
    }

    /// Hands what the pipeline gathered since the last flush to the writer; `final` (at stop) includes
    /// the interval still open.
    func flushHistory(final: Bool = false) {
        guard let writer else { _ = pipeline.takePendingHistory(); return }
        let pending = pipeline.takePendingHistory()
        var devices = pending.changedDevices.compactMap { registry.device($0) }
        for i in devices.indices { devices[i].traffic = TrafficCounters() }
        if let sampler { for device in devices { sampler.noteSighting(device.mac, at: device.lastSeen) } }
        let taken = sampler?.take(endedBy: final ? nil : clock.now()) ?? (samples: [], presence: [])
        guard !devices.isEmpty || !pending.anomalies.isEmpty || !taken.samples.isEmpty || !taken.presence.isEmpty
        else { return }
        writer.enqueue(
            HistoryBatch(
                devices: devices, observations: pending.observations, anomalies: pending.anomalies,
                changes: pending.changes, samples: taken.samples, presence: taken.presence))
    }

    /// Stops capture (detaching BPF programs), finishes in-flight HTTP responses, flushes history.
    public func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        driver.stop()
        server?.shutdown(gracePeriod: .seconds(5))
        if sampler != nil {
            // The capture loop notices the stop within its poll timeout (≤ 1 s), then runs its last tick.
            for _ in 0..<500 where !captureFinished.load(ordering: .acquiring) { sleepMilliseconds(10) }
        }
        flushHistory(final: true)
        writer?.close()
        logger.notice("stopped")
    }

    /// Blocks the calling thread until SIGINT or SIGTERM, then stops; SIGHUP in between re-reads the TLS
    /// certificate and key. Call after `start()`; the signals must already be blocked in every thread
    /// (`Service.blockTerminationSignals()` first).
    public func runUntilSignalled() {
        var set = Service.terminationSignals()
        var signal: Int32 = 0
        while true {
            sigwait(&set, &signal)
            guard signal == SIGHUP else { break }
            logger.notice("SIGHUP: reloading the TLS certificate")
            server?.reloadTLS()
        }
        logger.notice("signal received; shutting down", metadata: ["signal": "\(signal)"])
        stop()
    }

    static func terminationSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        return set
    }

    /// Blocks SIGINT/SIGTERM (and SIGHUP, a reload) in this thread and every thread started after it, so `sigwait` gets them.
    public static func blockTerminationSignals() {
        var set = terminationSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }
}
