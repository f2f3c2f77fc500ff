import ArgumentParser
import History
import LanscopeCore
import LanscopeService

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Which devices were seen between two times.",
        discussion:
            "Times are durations back from now (30m, 2h, 7d), now, ISO-8601 times with a zone (2026-12-07T01:00:00Z) or dates (2026-12-07, midnight UTC). A device counts when one of its presence spans overlaps the range; for history written before presence was recorded (or by replays), when it was first or last seen inside it."
    )
    @Option(name: .long, help: ArgumentHelp("Start of the range (required, no default).", valueName: "time")) var from:
        String
    @Option(name: .long, help: ArgumentHelp("End of the range (default now).", valueName: "time")) var to = "now"
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func validate() throws {
        let now = SystemClock().now()
        do {
            let start = try TimeArgument.parse(from, now: now)
            let end = try TimeArgument.parse(to, now: now)
            guard start <= end else { throw ValidationError("--from must not be after --to") }
        } catch let error as TimeArgument.Error {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        common.bootstrapLogging()
        let view = try Commands.openForReading(common.databasePath)
        let now = view.presence.now
        let start = try TimeArgument.parse(from, now: now)
        let end = try TimeArgument.parse(to, now: now)
        let seen = try view.devicesSeen(from: start, to: end)
        if json {
            printBytes(SightingRendering.json(seen, from: start, to: end))
        } else if seen.isEmpty {
            print("no device seen between \(start.rfc3339) and \(end.rfc3339)")
        } else {
            print(SightingRendering.table(seen), terminator: "")
        }
    }
}
