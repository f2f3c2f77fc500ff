import Foundation
import HTTPServer
import Testing

/// The README's metrics table is the operators' reference: every family `/metrics` exports is in it with
/// its labels, and every family it names is exported.
@Suite struct MetricsDocumentationTests {
    /// README rows: `| \`family\` | \`label\`, … | what |`.
    static func documented() throws -> [String: Set<String>] {
        let readme = try String(
            contentsOf: TestPaths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var families: [String: Set<String>] = [:]
        for line in readme.components(separatedBy: "\n") where line.hasPrefix("| `lanscope_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 4 else { continue }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels = cells[2].split(separator: ",").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
            }
            families[name] = Set(labels.filter { !$0.isEmpty })
        }
        return families
    }

    /// Family → labels seen in a text exposition.
    static func exported(_ text: String) -> [String: Set<String>] {
        var families: [String: Set<String>] = [:]
        var current = ""
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("# TYPE ") {
                // Text format 0.0.4 names the family as its samples are named (`_total`, `_info` included).
                current = String(line.split(separator: " ")[2])
                families[current, default: []] = []
            } else if !line.isEmpty && !line.hasPrefix("#"), let brace = line.firstIndex(of: "{") {
                let inside = line[line.index(after: brace)..<(line.lastIndex(of: "}") ?? line.endIndex)]
                var labels: Set<String> = []
                for match in inside.matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="/) { labels.insert(String(match.1)) }
                families[current, default: []].formUnion(labels)
            }
        }
        return families
    }

    @Test func readmeTable_matchesExportedFamiliesAndLabels() throws {
        let documented = try Self.documented()
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, deviceTrafficBreakdown: true)
        let text = String(decoding: get(service, "/metrics").body, as: UTF8.self)
        let exported = Self.exported(text).filter { $0.key.hasPrefix("lanscope_") }
        #expect(exported.count > 40)
        let undocumented = Set(exported.keys).subtracting(documented.keys)
        #expect(undocumented.isEmpty, "exported but not in the README table: \(undocumented.sorted())")
        let missing = Set(documented.keys).subtracting(exported.keys)
        #expect(missing.isEmpty, "in the README table but not exported: \(missing.sorted())")
        // Families with samples here must show exactly the documented labels; families without samples
        // in a replay (drops, BPF maps, HTTP) cannot be checked further than their names.
        for (name, labels) in exported where !labels.isEmpty {
            #expect(
                documented[name] == labels,
                "\(name): README says \(documented[name]?.sorted() ?? []), /metrics has \(labels.sorted())")
        }
    }
}
