import ArgumentParser
import Glibc
import LanscopeCore
import LanscopeService
import Logging

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process capture files (pcap/pcapng) once, store the inventory, print a summary.")

    @Argument(help: ArgumentHelp("Capture files to replay.", valueName: "file"))
    var files: [String]

    @OptionGroup var common: CommonOptions

    @Option(
        name: .long,
        help: ArgumentHelp("IEEE OUI registry CSV file or directory (default /usr/share/ieee-data).", valueName: "path")
    )
    var ouiFile: String?

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Directory of classifier signature files (*.tsv) adding to or overriding the built-in rules (default: none, the built-in rules only).",
            valueName: "dir"))
    var signatures: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Detector thresholds and switches (README: Detection configuration); its learning_period does not apply to a replay (default: none, built-in thresholds).",
            valueName: "file"))
    var detectionConfig: String?

    func run() throws {
        common.bootstrapLogging()
        let logger = Logger(label: "lanscope")
        let detection = try detectionConfig.map { path in
            do { return try ServiceStages.loadDetectionConfiguration(path: path) } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
        let outcome = try Commands.replay(
            files: files, databasePath: common.databasePath, ouiPath: ouiFile, signaturesPath: signatures,
            detection: detection, logger: logger)
        if json {
            printBytes(outcome.json())
        } else {
            print(outcome.text(), terminator: "")
        }
        // 2: nothing could be read; 1: some files could not be read (the rest were stored).
        if outcome.allFailed { throw ExitCode(2) }
        if !outcome.unreadable.isEmpty {
            printError("\(outcome.unreadable.count) of \(outcome.files.count) files could not be read")
            throw ExitCode(1)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the device inventory stored in the database.",
        discussion:
            "Filters work like /devices.json's: substrings, case-insensitive. Online means seen within 5 minutes of now, or of the newest replayed packet when no device was seen after it (as in replay's summary)."
    )
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print JSON instead of a table.") var json = false
    @Option(name: .long, help: "Only devices whose vendor contains this (default: any).") var vendor: String?
    @Option(name: .long, help: "Only devices whose hostname contains this (default: any).") var hostname: String?
    @Option(name: .long, help: "Only devices of this type (phone, printer, camera, tv...) (default: any).") var type:
        String?
    @Option(
        name: .long,
        help: "true: only devices seen within the presence window (5 min); false: only the others (default: both).")
    var online: Bool?

    func validate() throws {
        if let type, DeviceType(rawValue: type) == nil {
            throw ValidationError(
                "unknown type \"\(TerminalText.sanitize(type))\"; types: \(DeviceType.allCases.map(\.rawValue).sorted().joined(separator: ", "))"
            )
        }
    }

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        var devices = try view.devices()
        if let vendor { devices = devices.filter { $0.vendor?.lowercased().contains(vendor.lowercased()) ?? false } }
        if let hostname {
            devices = devices.filter { $0.hostname?.lowercased().contains(hostname.lowercased()) ?? false }
        }
        if let type { devices = devices.filter { ($0.classification?.type.value ?? .unknown).rawValue == type } }
        if let online { devices = devices.filter { view.presence.isOnline($0) == online } }
        if json {
            printBytes(DeviceRendering.json(devices, presence: view.presence, pretty: true))
        } else if devices.isEmpty {
            print(
                "no devices in \(TerminalText.sanitize(common.databasePath)) — run `lanscope replay FILE` or `lanscope run` first"
            )
        } else {
            print(DeviceRendering.table(devices, presence: view.presence), terminator: "")
        }
    }
}

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Show one device: what it is and why, its evidence, events and identity changes.",
        discussion:
            "The device may be named by MAC (aa:bb:cc:dd:ee:ff, aa-bb-..., aabbccddeeff, aabb.ccdd.eeff), IP address or hostname."
    )
    @Argument(
        help: ArgumentHelp(
            "The device's MAC address (any common notation), IP address or hostname.", valueName: "device"))
    var mac: String
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func validate() throws {
        guard !mac.isEmpty else { throw ValidationError("give a MAC address, an IP address or a hostname") }
    }

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let address: MACAddress
        if let parsed = MACAddress(anyNotation: mac) {
            address = parsed
        } else {
            let devices = try view.devices()
            let matches: [Device]
            if let ip = IPAddress(mac) {
                matches = devices.filter { $0.addresses[ip] != nil }
            } else {
                let wanted = mac.lowercased()
                matches = devices.filter {
                    ($0.hostname?.lowercased() == wanted) || $0.hostnames.values.contains { $0.lowercased() == wanted }
                }
            }
            guard let first = matches.first else {
                printError(
                    "no device with MAC, address or hostname \"\(TerminalText.sanitize(mac))\" in \(TerminalText.sanitize(common.databasePath))"
                )
                throw ExitCode(1)
            }
            guard matches.count == 1 else {
                printError(
                    "\"\(TerminalText.sanitize(mac))\" matches \(matches.count) devices: \(matches.map(\.mac.description).joined(separator: ", ")); name one by MAC"
                )
                throw ExitCode(1)
            }
            address = first.mac
        }
        guard let detail = try view.deviceDetail(address) else {
            printError("no device \(address) in \(TerminalText.sanitize(common.databasePath))")
            throw ExitCode(1)
        }
        if json {
            printBytes(detail.json(presence: view.presence))
        } else {
            print(detail.text(presence: view.presence), terminator: "")
        }
    }
}

struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show recent anomaly events.")
    @Option(
        name: .long,
        help: ArgumentHelp("Only events newer than this (e.g. 30m, 1h, 7d) (default: all).", valueName: "duration"))
    var since: String?
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func validate() throws {
        if let since { do { _ = try DurationParser.parse(since) } catch { throw ValidationError(error.description) } }
    }

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let window = try since.map { s throws -> Duration in try DurationParser.parse(s) }
        let events = try view.anomalies(within: window)
        if json {
            printBytes(AnomalyRendering.json(events, pretty: true))
        } else if events.isEmpty {
            print("no anomaly events\(since.map { " in the last \($0)" } ?? "")")
        } else {
            print(AnomalyRendering.table(events), terminator: "")
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export the inventory as CSV or JSON.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
    @Option(name: .long, help: "csv or json (required, no default).") var format: Format
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write to this file instead of standard output (default: standard output).", valueName: "file"))
    var output: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Export traffic history from this long ago (e.g. 24h, 7d): CSV gets one row per sample, JSON {devices, traffic} (default: none, devices only).",
            valueName: "duration"))
    var since: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let since { do { _ = try DurationParser.parse(since) } catch { throw ValidationError(error.description) } }
    }

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let devices = try view.devices()
        let bytes: [UInt8]
        if let since {
            let start = view.presence.now - (try DurationParser.parse(since))
            let traffic = try view.samples(since: start)
            if traffic.truncated {
                printError("traffic history truncated to its first \(traffic.samples.count) samples")
            }
            switch format {
            case .csv:
                let terminal = output == nil && isatty(STDOUT_FILENO) == 1
                bytes = Array(
                    HistoryRendering.trafficCSV(traffic.samples, devices: devices, forTerminal: terminal).utf8)
            case .json:
                bytes = HistoryRendering.exportJSON(
                    devices: devices, samples: traffic.samples, presence: view.presence, truncated: traffic.truncated)
            }
            if let output { try OutputFile.write(bytes, to: output) } else { printBytes(bytes) }
            return
        }
        switch format {
        // Written to a terminal, device-supplied text is made safe as in tables; to a file or a pipe, it is exact.
        case .csv:
            bytes = Array(DeviceRendering.csv(devices, forTerminal: output == nil && isatty(STDOUT_FILENO) == 1).utf8)
        case .json: bytes = DeviceRendering.json(devices, presence: view.presence, pretty: true)
        }
        if let output { try OutputFile.write(bytes, to: output) } else { printBytes(bytes) }
    }
}

/// Writes bytes to standard output as they are (JSON/CSV must not pass through `print`'s buffering
/// interleaved with other writers).
func printBytes(_ bytes: [UInt8]) { writeAll(STDOUT_FILENO, bytes) }

func printError(_ message: String) { writeAll(STDERR_FILENO, Array("lanscope: \(message)\n".utf8)) }

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return }
        offset += n
    }
}
