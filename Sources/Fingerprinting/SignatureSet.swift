import Platform

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compiled signature rules: per signal, a dictionary for exact patterns and short lists for the
/// prefix/suffix/contains ones, so matching a device costs a few lookups per signal value — no regex.
public struct SignatureSet: Sendable {
    /// Every rule in force, sorted by id (a later source's rule replaced an earlier one with its id).
    public let rules: [SignatureRule]
    private var tables: [Signal: Table] = [:]

    struct Table: Sendable {
        var exact: [String: [Int]] = [:]
        /// Prefix patterns by their first byte: a value is compared only with the patterns it could start with
        /// (product lines alone hold a couple of hundred).
        var prefix: [UInt8: [([UInt8], Int)]] = [:]
        /// Prefix rules with an empty pattern (possible only when built in code): they match every value.
        var emptyPrefix: [Int] = []
        var suffix: [([UInt8], Int)] = []
        var contains: [([UInt8], Int)] = []
        var any: [Int] = []
    }

    /// Rules in order of precedence: for one id the last wins. Rules of weight 0 are kept (listed)
    /// but never matched, which is how an override file disables a built-in rule.
    public init(_ sources: [SignatureRule]...) {
        var byID: [String: SignatureRule] = [:]
        for source in sources { for rule in source { byID[rule.id] = rule } }
        rules = byID.values.sorted { $0.id < $1.id }
        for (index, rule) in rules.enumerated() where rule.weight > 0 {
            var table = tables[rule.signal] ?? Table()
            switch rule.match {
            case .exact: table.exact[rule.pattern, default: []].append(index)
            case .prefix:
                let pattern = Array(rule.pattern.utf8)
                if let first = pattern.first {
                    // A pattern starting with the digit wildcard is a candidate for values starting with any digit.
                    for byte in first == Self.digitWildcard ? Array(UInt8(ascii: "0")...UInt8(ascii: "9")) : [first] {
                        table.prefix[byte, default: []].append((pattern, index))
                    }
                } else {
                    table.emptyPrefix.append(index)
                }
            case .suffix: table.suffix.append((Array(rule.pattern.utf8), index))
            case .contains: table.contains.append((Array(rule.pattern.utf8), index))
            case .any: table.any.append(index)
            }
            tables[rule.signal] = table
        }
    }

    /// The rules shipped in the binary (`Sources/Fingerprinting/Signatures/*.tsv`, embedded at build time).
    public static let builtIn: SignatureSet = {
        do {
            return SignatureSet(try builtInRules())
        } catch {
            // The build's own files are validated by the test suite; a failure here is a packaging bug.
            fatalError("built-in signatures: \(error)")
        }
    }()

    /// Parses the embedded files (also what the tests validate).
    public static func builtInRules() throws(SignatureFileError) -> [SignatureRule] {
        var rules: [SignatureRule] = []
        for file in EmbeddedSignatures.files.sorted(by: { $0.name < $1.name }) {
            guard let bytes = Base64.decode(file.base64) else {
                throw SignatureFileError(file: file.name, line: 0, message: "embedded copy is not valid base64")
            }
            rules += try SignatureFileParser.parse(String(decoding: bytes, as: UTF8.self), file: file.name)
        }
        return rules
    }

    /// The built-in rules plus every `*.tsv` file in `directory` (in name order), whose rules add to
    /// them or, by id, replace them (`--signatures DIR`).
    public static func loading(directory: String, over base: SignatureSet = .builtIn) throws(SignatureFileError)
        -> SignatureSet
    {
        var added: [SignatureRule] = []
        for path in try signatureFiles(in: directory) {
            let bytes: [UInt8]
            do {
                bytes = try FileBytes.read(path)
            } catch {
                throw SignatureFileError(file: path, line: 0, message: "\(error)")
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SignatureFileError(file: path, line: 0, message: "not UTF-8 text")
            }
            added += try SignatureFileParser.parse(text, file: path)
        }
        return SignatureSet(base.rules, added)
    }

    private static func signatureFiles(in directory: String) throws(SignatureFileError) -> [String] {
        guard let handle = opendir(directory) else {
            let code = errno
            throw SignatureFileError(
                file: directory, line: 0,
                message: "cannot open directory: \(errnoText(code))")
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name.hasSuffix(".tsv") && !name.hasPrefix(".") { names.append(name) }
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { base + $0 }
    }

    /// Calls `body` with every rule matching `value` of `signal`, and where the match ended in `value`
    /// (for `$rest`/`$word`). `lowered` is `value.lowercased()`.
    func forEachMatch(
        _ signal: Signal, value: String, lowered: String,
        _ body: (SignatureRule, String.Index?) -> Void
    ) {
        guard let table = tables[signal] else { return }
        if let indices = table.exact[lowered] { for i in indices { body(rules[i], nil) } }
        for i in table.emptyPrefix { body(rules[i], value.startIndex) }
        let hasPatterns = !table.prefix.isEmpty || !table.suffix.isEmpty || !table.contains.isEmpty
        if hasPatterns {
            // Byte comparisons on the UTF-8 view: patterns are lowercased like the value, and Character-level
            // comparison (grapheme breaking) would cost several times more for the same answer on ASCII.
            // A native String's bytes are contiguous: compare in place rather than copy them out.
            var lowered = lowered
            lowered.withUTF8 { bytes in
                // `$rest` offsets are counted in UTF-8 bytes of the lowercased text; they map onto the original
                // whenever lowercasing kept the byte count (always for ASCII).
                let sameShape = value.utf8.count == bytes.count
                func end(_ offset: Int) -> String.Index? {
                    sameShape ? value.utf8.index(value.utf8.startIndex, offsetBy: offset) : nil
                }
                if let first = bytes.first, let candidates = table.prefix[first] {
                    for (pattern, i) in candidates where Self.hasPrefix(pattern, bytes) {
                        body(rules[i], end(pattern.count))
                    }
                }
                for (pattern, i) in table.suffix
                where bytes.count >= pattern.count && bytes[(bytes.count - pattern.count)...].elementsEqual(pattern) {
                    body(rules[i], nil)
                }
                for (pattern, i) in table.contains {
                    if let upper = Self.endOfFirstMatch(of: pattern, in: bytes) { body(rules[i], end(upper)) }
                }
            }
        }
        for i in table.any { body(rules[i], nil) }
    }

    /// In a prefix pattern, `#` stands for one ASCII digit: `lb1##` is TP-Link's LB100–LB199 bulbs, not a
    /// load balancer named `lb1`.
    static let digitWildcard = UInt8(ascii: "#")

    /// Whether `bytes` starts with `pattern`, where the pattern's `#` matches any ASCII digit.
    static func hasPrefix(_ pattern: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        for (k, expected) in pattern.enumerated() {
            let byte = bytes[k]
            if expected == digitWildcard {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            } else if byte != expected {
                return false
            }
        }
        return true
    }

    /// Where the first occurrence of `pattern` in `bytes` ends, as an offset (nil when absent).
    static func endOfFirstMatch(of pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = pattern.first else { return 0 }
        guard bytes.count >= pattern.count else { return nil }
        var start = 0
        let last = bytes.count - pattern.count
        while start <= last {
            if bytes[start] == first {
                var matched = true
                for k in 1..<pattern.count where bytes[start + k] != pattern[k] {
                    matched = false
                    break
                }
                if matched { return start + pattern.count }
            }
            start += 1
        }
        return nil
    }
}
