import ArgumentParser
import Detection
import HTTPServer
import LanscopeCore
import LanscopeService
import Logging

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: capture, inventory, history, and the HTTP API (/metrics, /devices.json...).",
        discussion: """
            Live:    lanscope run --interface eth0 --mode gateway
            Replay:  lanscope run --pcap capture.pcap --listen 127.0.0.1:9184   (no root needed)
            Modes: gateway (on the router: sees all device traffic), span (mirror port: same, not inline),
            host (any machine: its own traffic plus broadcast/multicast discovery).
            """)

    @Option(
        name: .long,
        help: ArgumentHelp("LAN interface to capture on (no default: give --interface or --pcap).", valueName: "name"))
    var interface: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Replay this capture file, then keep serving (no default: give --interface or --pcap).", valueName: "file"))
    var pcap: String?
    @Option(name: .long, help: "Where lanscope sits: gateway, span or host.") var mode: CaptureMode = .host
    @Option(name: .long, help: "Capture backend: auto (eBPF when permitted, else libpcap), ebpf or pcap.")
    var backend: ServiceConfiguration.Backend = .auto
    @Option(
        name: .long,
        help: ArgumentHelp("HTTP listen address, e.g. :9184, 127.0.0.1:9184, [::1]:9184.", valueName: "addr"))
    var listen = ":9184"
    @Option(
        name: .long,
        help: ArgumentHelp("IEEE OUI registry CSV file or directory (default /usr/share/ieee-data).", valueName: "path")
    )
    var ouiFile: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Directory of classifier signature files (*.tsv) adding to or overriding the built-in rules (default: none, the built-in rules only).",
            valueName: "dir"))
    var signatures: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Prometheus web-config style file: basic_auth_users (bcrypt) and/or tls_server_config (HTTPS, mTLS) (default: none: plain HTTP, no authentication).",
            valueName: "file"))
    var webConfigFile: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "File holding a bearer token required on every request (except /-/ health checks) (default: none).",
            valueName: "file"))
    var bearerTokenFile: String?
    @Option(name: .long, help: "Most devices kept in the inventory and the BPF map.") var maxDevices = 16_384
    @Option(name: .long, help: "Most devices exported per scrape; the rest are counted as omitted.")
    var maxExportedDevices = 10_000
    @Option(name: .long, help: ArgumentHelp("A device is up when seen within this window.", valueName: "duration"))
    var presenceWindow = "5m"
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Devices idle this long leave the inventory and /metrics (history keeps them).", valueName: "duration"))
    var deviceTtl = "24h"
    @Flag(
        name: .long,
        help: "Export per-device traffic by direction, IP version and protocol (up to 48 more series per device).")
    var deviceTrafficBreakdown = false
    @Flag(name: .long, help: "Run without the history database.") var noDb = false
    @Option(
        name: .long,
        help: ArgumentHelp("Length of a traffic sample in history (live capture).", valueName: "duration"))
    var historyInterval = "10s"
    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long history keeps raw, hourly and daily traffic samples.", valueName: "raw=1d,hourly=30d,daily=365d"))
    var retention = "raw=1d,hourly=30d,daily=365d"
    @Flag(name: .long, help: "Take over an interface another lanscope is capturing on (it is asked to stop).")
    var replace = false
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Detector thresholds, trusted DHCP servers and routers (README: Detection configuration) (default: none, built-in thresholds).",
            valueName: "file"))
    var detectionConfig: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "On a fresh install (empty history), detectors learn for this long before raising new/changed events (default 0; the config file's learning_period).",
            valueName: "duration"))
    var learningPeriod: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A legitimate DHCP server (MAC or IP address); repeat for several. With any, nothing is learned (default: none, servers are learned).",
            valueName: "mac|ip"))
    var trustedDhcpServer: [String] = []
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A legitimate IPv6 router (MAC); repeat for several (default: none, routers are learned).", valueName: "mac"
        ))
    var trustedRouter: [String] = []
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A gateway IP address no DHCP reply names (its router option names the rest); repeat for several (default: none).",
            valueName: "ip"))
    var gateway: [String] = []
    @Option(name: .long, help: "Most HTTP connections open at once from one client address (503 beyond).")
    var httpMaxConnectionsPerAddress = 64
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Close an HTTP connection whose response makes no progress this long.", valueName: "duration"))
    var httpSendStallTimeout = "20s"
    @Option(
        name: .long,
        help: ArgumentHelp("Most memory responses waiting to be sent may hold in total, in MiB.", valueName: "MiB"))
    var httpMaxPendingResponseMib = 64
    @OptionGroup var common: CommonOptions

    func validate() throws {
        switch (interface, pcap) {
        case (nil, nil):
            throw ValidationError("give --interface NAME for live capture or --pcap FILE to replay a capture")
        case (.some, .some): throw ValidationError("--interface and --pcap are exclusive")
        default: break
        }
        guard maxDevices > 0, maxExportedDevices > 0 else {
            throw ValidationError("--max-devices and --max-exported-devices must be positive")
        }
        guard httpMaxConnectionsPerAddress > 0, httpMaxPendingResponseMib > 0, httpMaxPendingResponseMib <= 1 << 20
        else {
            throw ValidationError(
                "--http-max-connections-per-address and --http-max-pending-response-mib must be positive")
        }
        if let learningPeriod {
            do { _ = try DurationParser.parse(learningPeriod) } catch {
                throw ValidationError("--learning-period: \(error.description)")
            }
        }
        for value in trustedDhcpServer where TrustedSource(value) == nil {
            throw ValidationError(
                "--trusted-dhcp-server \"\(value)\": expected a MAC (aa:bb:cc:dd:ee:ff) or an IP address")
        }
        for value in trustedRouter where MACAddress(anyNotation: value) == nil {
            throw ValidationError("--trusted-router \"\(value)\": expected a MAC address")
        }
        for value in gateway where IPAddress(value) == nil {
            throw ValidationError("--gateway \"\(value)\": expected an IP address")
        }
        for (flag, value) in [
            ("--presence-window", presenceWindow), ("--device-ttl", deviceTtl),
            ("--http-send-stall-timeout", httpSendStallTimeout), ("--history-interval", historyInterval),
        ] {
            do { _ = try DurationParser.parse(value) } catch { throw ValidationError("\(flag): \(error.description)") }
        }
        if (try? DurationParser.parse(httpSendStallTimeout)) == .zero {
            throw ValidationError("--http-send-stall-timeout must be positive")
        }
        if (try? DurationParser.parse(historyInterval)).map({ $0 < .seconds(1) }) ?? false {
            throw ValidationError("--history-interval must be at least 1s")
        }
        do { _ = try RetentionParser.parse(retention) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        Service.blockTerminationSignals()
        common.bootstrapLogging()
        let logger = Logger(label: "lanscope")
        if !ScrapeMemory.retainAcrossScrapes() {
            logger.debug("allocator settings not applied; scrapes will page-fault their buffers back in")
        }
        var configuration = ServiceConfiguration(source: pcap.map { .file($0) } ?? .interface(interface!))
        configuration.mode = mode
        configuration.backend = backend
        configuration.listen = listen
        configuration.databasePath = noDb ? nil : common.databasePath
        configuration.databaseRequired = !noDb && common.db != nil
        configuration.replaceRunning = replace
        configuration.ouiPath = ouiFile
        configuration.signaturesPath = signatures
        configuration.basicAuthUsersFile = webConfigFile
        configuration.bearerTokenFile = bearerTokenFile
        configuration.maxDevices = maxDevices
        configuration.metrics.maxExportedDevices = maxExportedDevices
        configuration.metrics.presenceWindow = try DurationParser.parse(presenceWindow)
        configuration.metrics.deviceTrafficBreakdown = deviceTrafficBreakdown
        configuration.deviceTTL = try DurationParser.parse(deviceTtl)
        configuration.historyInterval = try DurationParser.parse(historyInterval)
        configuration.retention = try RetentionParser.parse(retention)
        if let detectionConfig {
            do { configuration.detection = try ServiceStages.loadDetectionConfiguration(path: detectionConfig) } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
        // The most used detection settings as flags: they add to (or, for the learning period, replace)
        // what the config file says.
        if let learningPeriod { configuration.detection.learningPeriod = try DurationParser.parse(learningPeriod) }
        configuration.detection.rogueDHCP.trusted += trustedDhcpServer.compactMap { TrustedSource($0) }
        configuration.detection.rogueRA.trusted += trustedRouter.compactMap {
            MACAddress(anyNotation: $0).map(TrustedSource.mac)
        }
        configuration.detection.addressBinding.gateways.formUnion(gateway.compactMap { IPAddress($0) })
        configuration.httpLimits.maxConnectionsPerAddress = httpMaxConnectionsPerAddress
        configuration.httpLimits.sendStallTimeout = try DurationParser.parse(httpSendStallTimeout)
        configuration.httpLimits.maxPendingResponseBytes = httpMaxPendingResponseMib << 20
        do {
            let service = try Service(configuration: configuration, logger: logger)
            try service.start()
            service.runUntilSignalled()
        } catch let error as ServiceError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

extension CaptureMode: ExpressibleByArgument {}
extension ServiceConfiguration.Backend: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load and verify the BPF programs, open the database, report capabilities; exit 0 when all is well.")
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also try attaching to (and detaching from) this interface (default: none, no attachment is tried).",
            valueName: "name")
    )
    var interface: String?
    @OptionGroup var common: CommonOptions

    func run() throws {
        common.bootstrapLogging()
        let logger = Logger(label: "lanscope")
        let report = CheckRunner.run(interface: interface, databasePath: common.databasePath, logger: logger)
        print(report.text, terminator: "")
        if !report.ok { throw ExitCode(1) }
    }
}
