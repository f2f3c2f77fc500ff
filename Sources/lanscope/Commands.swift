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

    @Option(name: .long, help: ArgumentHelp("IEEE OUI registry CSV file or directory (default /usr/share/ieee-data).", valueName: "path"))
    var ouiFile: String?

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Directory of classifier signature files (*.tsv) adding to or overriding the built-in rules.", valueName: "dir"))
    var signatures: String?

    @Option(name: .long, help: ArgumentHelp("Detector thresholds and switches (README: Detection configuration); its learning_period does not apply to a replay.",
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
        let outcome = try Commands.replay(files: files, databasePath: common.databasePath, ouiPath: ouiFile, signaturesPath: signatures,
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
    static let configuration = CommandConfiguration(abstract: "Show the device inventory stored in the database.")
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let devices = try view.devices()
        if json { printBytes(DeviceRendering.json(devices, presence: view.presence, pretty: true)) }
        else if devices.isEmpty { print("no devices in \(TerminalText.sanitize(common.databasePath)) — run `lanscope replay FILE` or `lanscope run` first") }
        else { print(DeviceRendering.table(devices, presence: view.presence), terminator: "") }
    }
}

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "device", abstract: "Show one device with all its evidence.")
    @Argument(help: ArgumentHelp("The device's MAC address, e.g. aa:bb:cc:dd:ee:ff.", valueName: "mac")) var mac: String
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func validate() throws {
        guard MACAddress(mac) != nil else { throw ValidationError("invalid MAC address \"\(TerminalText.sanitize(mac))\": expected six hex pairs like aa:bb:cc:dd:ee:ff") }
    }

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let address = MACAddress(mac)!
        guard let detail = try view.deviceDetail(address) else {
            printError("no device \(address) in \(TerminalText.sanitize(common.databasePath))")
            throw ExitCode(1)
        }
        if json { printBytes(detail.json(presence: view.presence)) } else { print(detail.text(presence: view.presence), terminator: "") }
    }
}

struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show recent anomaly events.")
    @Option(name: .long, help: ArgumentHelp("Only events newer than this (e.g. 30m, 1h, 7d).", valueName: "duration"))
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
        if json { printBytes(AnomalyRendering.json(events, pretty: true)) }
        else if events.isEmpty { print("no anomaly events\(since.map { " in the last \($0)" } ?? "")") }
        else { print(AnomalyRendering.table(events), terminator: "") }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export the inventory as CSV or JSON.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
    @Option(name: .long, help: "csv or json.") var format: Format
    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?
    @OptionGroup var common: CommonOptions

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let devices = try view.devices()
        let bytes: [UInt8]
        switch format {
        case .csv: bytes = Array(DeviceRendering.csv(devices).utf8)
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
