import Foundation
import Testing

/// Runs tshark on a corpus file and returns, per frame number, the values of the requested
/// fields — the independent reference our decodes are compared with.
enum Tshark {
    static let executable: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Throws when the corpus or tshark is missing (see `Corpus.require`).
    static func require() throws {
        try Corpus.require()
        if executable == nil { throw MissingRequirement(reason: "tshark not installed (Debian tshark)") }
    }

    /// frame number → field → values (several occurrences in one frame are separate values).
    typealias Rows = [Int: [String: [String]]]

    static func fields(
        _ relative: String, _ fields: [String], filter: String? = nil,
        options: [String] = [], decodeAs: [String] = []
    ) throws -> Rows {
        guard let executable, let url = Corpus.url(relative) else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = ["-r", url.path, "-n", "-T", "fields", "-e", "frame.number"]
        for field in fields { arguments += ["-e", field] }
        arguments += ["-E", "separator=/t", "-E", "aggregator=\u{1E}", "-E", "occurrence=a"]
        for option in options { arguments += ["-o", option] }
        for rule in decodeAs { arguments += ["-d", rule] }
        if let filter { arguments += ["-Y", filter] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var rows: Rows = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let number = Int(columns[0]) else { continue }
            var row: [String: [String]] = [:]
            for (index, field) in fields.enumerated() where index + 1 < columns.count {
                let cell = columns[index + 1]
                row[field] =
                    cell.isEmpty
                    ? [] : cell.split(separator: "\u{1E}", omittingEmptySubsequences: false).map(String.init)
            }
            rows[number] = row
        }
        return rows
    }
}
