import LanscopeCore

/// Parses the signature text format (`Signatures/README.md`): one rule a line, six fields separated by
/// tabs — `id  signal  match  pattern  conclusions  weight`; `#` starts a comment line. Any bad line
/// refuses the whole file with `file:line: what is wrong`, so a typo never silently drops a rule.
public enum SignatureFileParser {
    /// Most rules one file may hold.
    public static let maximumRules = 20_000
    /// Heaviest weight a rule may carry.
    public static let maximumWeight = 10.0

    public static func parse(_ text: String, file: String) throws(SignatureFileError) -> [SignatureRule] {
        var rules: [SignatureRule] = []
        var seen: [String: Int] = [:]
        var lineNumber = 0
        // Split on the separators' bytes: every separator is ASCII, and a split by `Character` would
        // both grapheme-break every line and keep a CRLF file whole ("\r\n" is one `Character`).
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(
            Substring.init)
        {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) || line.trimmingSpaces().hasPrefix("#") { continue }
            func fail(_ message: String) -> SignatureFileError {
                SignatureFileError(file: file, line: lineNumber, message: message)
            }
            let rule = try parseRule(line, origin: "\(file):\(lineNumber)", fail: fail)
            if let first = seen[rule.id] { throw fail("duplicate rule id '\(rule.id)' (first on line \(first))") }
            seen[rule.id] = lineNumber
            guard rules.count < maximumRules else { throw fail("more than \(maximumRules) rules in one file") }
            rules.append(rule)
        }
        return rules
    }

    private static func parseRule(_ line: Substring, origin: String, fail: (String) -> SignatureFileError)
        throws(SignatureFileError) -> SignatureRule
    {
        let fields = line.utf8.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: true).map {
            Substring($0).trimmingSpaces()
        }
        guard fields.count == 6 else {
            throw fail(
                "expected 6 tab-separated fields (id, signal, match, pattern, conclusions, weight), found \(fields.count)"
            )
        }
        let id = String(fields[0])
        guard id.utf8.allSatisfy({ Self.idBytes.contains($0) }) else {
            throw fail("rule id '\(id)' may hold only a-z, 0-9, '.', '_' and '-'")
        }
        guard let signal = Signal(rawValue: String(fields[1])) else {
            throw fail(
                "unknown signal '\(fields[1])' (known: \(Signal.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let match = SignatureRule.Match(rawValue: String(fields[2])) else {
            throw fail(
                "unknown match '\(fields[2])' (known: \(SignatureRule.Match.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let pattern = fields[3].lowercased()
        if match == .any {
            guard pattern == "*" else { throw fail("match 'any' takes the pattern '*', not '\(fields[3])'") }
        } else if pattern == "*" && match != .exact {
            throw fail("pattern '*' is only for match 'any'")
        }
        let conclusions = try parseConclusions(fields[4], match: match, fail: fail)
        guard let weight = Double(fields[5]), weight.isFinite, weight >= 0, weight <= maximumWeight else {
            throw fail("weight '\(fields[5])' is not a number from 0 to \(maximumWeight)")
        }
        return SignatureRule(
            id: id, signal: signal, match: match, pattern: pattern, conclusions: conclusions,
            weight: weight, origin: origin)
    }

    private static func parseConclusions(
        _ text: Substring, match: SignatureRule.Match,
        fail: (String) -> SignatureFileError
    ) throws(SignatureFileError)
        -> [SignatureRule.Conclusion]
    {
        var conclusions: [SignatureRule.Conclusion] = []
        for part in text.utf8.split(separator: UInt8(ascii: ";")) {
            let item = Substring(part).trimmingSpaces()
            guard let equals = item.firstIndex(of: "=") else {
                throw fail("conclusion '\(item)' is not field=value")
            }
            let name = item[..<equals].trimmingSpaces()
            let raw = item[item.index(after: equals)...].trimmingSpaces()
            guard let field = SignatureRule.Field(rawValue: String(name)) else {
                throw fail(
                    "unknown field '\(name)' (known: \(SignatureRule.Field.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            guard !raw.isEmpty else { throw fail("field '\(name)' has an empty value") }
            guard !conclusions.contains(where: { $0.field == field }) else { throw fail("field '\(name)' given twice") }
            let value: SignatureRule.Value
            switch raw {
            case "$value": value = .observed
            case "$rest", "$word":
                guard match == .prefix || match == .contains else {
                    throw fail(
                        "\(raw) needs match 'prefix' or 'contains' (nothing follows a '\(match.rawValue)' match)")
                }
                value = raw == "$rest" ? .rest : .word
            default:
                guard !raw.hasPrefix("$") else {
                    throw fail("unknown placeholder '\(raw)' (known: $value, $rest, $word)")
                }
                if field == .type, DeviceType(rawValue: String(raw)) == nil {
                    throw fail(
                        "unknown device type '\(raw)' (known: \(DeviceType.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                value = .literal(String(raw))
            }
            if field == .type, value != .literal(String(raw)) {
                throw fail("type must be a literal from the vocabulary, not \(raw)")
            }
            conclusions.append(.init(field: field, value: value))
        }
        guard !conclusions.isEmpty else { throw fail("no conclusions") }
        if conclusions.contains(where: { $0.field == .osVersion }),
            !conclusions.contains(where: { $0.field == .os })
        {
            throw fail("os_version needs an os in the same rule")
        }
        if conclusions.contains(where: { $0.field == .os && $0.value != .literal("") && !isLiteral($0.value) }) {
            throw fail("os must be a literal (its version may be $rest/$word)")
        }
        return conclusions
    }

    /// What a rule id may hold: a-z, 0-9, '.', '_', '-'.
    private static let idBytes: Set<UInt8> = Set(Array("abcdefghijklmnopqrstuvwxyz0123456789._-".utf8))

    private static func isLiteral(_ value: SignatureRule.Value) -> Bool {
        if case .literal = value { return true }
        return false
    }
}
