import Foundation
import TestSupport
import Testing

/// `--help` states every option's default (or that it has none), the database's search order included.
/// Read from the parser's own description (`--experimental-dump-help`), so a new option is covered
/// without touching this test.
@Suite struct HelpDefaultsTests {
    let lanscope = TestPaths.executable

    struct Option {
        var command: String
        var name: String
        var help: String
        var hasDefaultValue: Bool
    }

    func options() throws -> [Option] {
        let (status, out, err) = try run(lanscope, ["--experimental-dump-help"])
        #expect(status == 0, "\(err)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        var found: [Option] = []
        func walk(_ command: [String: Any], _ path: String) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option"
            {
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                let help = [argument["abstract"], argument["discussion"]].compactMap { $0 as? String }.joined(
                    separator: " ")
                found.append(
                    Option(
                        command: path, name: names.first ?? "?", help: help,
                        hasDefaultValue: argument["defaultValue"] != nil))
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path + " " + (sub["commandName"] as? String ?? "?"))
            }
        }
        walk(try #require(root["command"] as? [String: Any]), "lanscope")
        return found
    }

    @Test func help_everyOption_statesItsDefault() throws {
        let all = try options()
        #expect(all.count >= 30, "only \(all.count) options found in the dump")
        for option in all where !option.hasDefaultValue {
            #expect(
                option.help.lowercased().contains("default"),
                "\(option.command) --\(option.name): help gives no default: \(option.help)")
        }
    }

    @Test func help_database_showsTheSearchOrder() throws {
        for command in ["run", "replay", "list", "device", "alerts", "export", "check"] {
            let (status, out, _) = try run(lanscope, [command, "--help"])
            #expect(status == 0)
            let flat = out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(
                flat.contains(
                    "(default: $LANSCOPE_DB, else /var/lib/lanscope/lanscope.db when it exists, else $XDG_DATA_HOME/lanscope/lanscope.db, else ~/.local/share/lanscope/lanscope.db)"
                ), "\(command) --help: \(out)")
        }
    }
}
