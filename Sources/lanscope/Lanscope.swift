/// The `lanscope` executable: command-line parsing, logging bootstrap and signals. Everything else
/// lives in LanscopeService.
import ArgumentParser
import LanscopeService
import Logging

@main
struct Lanscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lanscope",
        abstract: "Passive LAN monitor: discovers devices, counts their traffic, flags anomalies, exports metrics.",
        discussion: """
            Try it without root on the bundled sample capture:
              lanscope run --pcap deploy/samples/lan.pcap --listen 127.0.0.1:9184
            then: curl http://127.0.0.1:9184/devices.json
            """,
        version: BuildInfo.version,
        subcommands: [
            Run.self, Replay.self, List.self, DeviceCommand.self, Alerts.self, Export.self, HistoryCommand.self,
            Check.self, Top.self,
        ]
    )
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite history database (default: $LANSCOPE_DB, else /var/lib/lanscope/lanscope.db when it exists, else $XDG_DATA_HOME/lanscope/lanscope.db, else ~/.local/share/lanscope/lanscope.db).",
            valueName: "path"))
    var db: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    var databasePath: String { db ?? HistoryPaths.defaultDatabasePath() }

    func bootstrapLogging() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
