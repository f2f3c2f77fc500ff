#if canImport(Glibc)
    import Glibc
#endif

/// Parses the two formats the IEEE publishes (and Debian's `ieee-data` ships) straight from bytes:
///
/// - CSV (`oui.csv`, `mam.csv`, `oui36.csv`, `iab.csv`): `Registry,Assignment,Organization
///   Name,Organization Address`, RFC 4180 quoting (fields in double quotes may hold commas,
///   doubled quotes and line breaks), CRLF or LF line ends. The header row is optional.
/// - Text (`oui.txt`...): a `(base 16)` line per assignment — `002272     (base 16)\t\tOrg` for
///   MA-L, or a range `F2F000-F2FFFF     (base 16)\t\tOrg` under the block's `70-B3-D5   (hex)`
///   line for MA-M/MA-S/IAB, the range width telling 28 from 36 bits.
enum OUIRegistryParser {
    struct Entry: Equatable {
        /// 24, 28 or 36.
        var bits: Int
        /// The prefix in the low `bits` bits.
        var prefix: UInt64
        /// The organisation's name: these bytes of `Result.names` (UTF-8, never empty).
        var organisation: Range<Int>
    }

    /// The names are gathered as bytes into one buffer: tens of thousands of rows would otherwise be
    /// as many `String`s made at every start, for the few hundred a network ever looks up.
    struct Result {
        var entries: [Entry] = []
        var names: [UInt8] = []
        var malformedRows = 0
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        looksLikeText(bytes) ? parseText(bytes) : parseCSV(bytes)
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"),
        lf = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    private static func looksLikeText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let head = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 4096)])
        return find(Array("(base 16)".utf8), in: head, from: 0, to: head.count) != nil
    }

    // MARK: CSV

    private struct Field {
        var start: Int
        var end: Int
        /// Holds doubled quotes that must be collapsed.
        var escaped: Bool
    }

    static func parseCSV(_ b: UnsafeBufferPointer<UInt8>) -> Result {
        var result = Result()
        // Room for a registry's rows at once (about 90 bytes a row, a third of them the name).
        result.entries.reserveCapacity(b.count / 64)
        result.names.reserveCapacity(b.count / 3)
        var fields: [Field] = []
        fields.reserveCapacity(8)
        var i = 0
        var firstRecord = true
        let n = b.count
        while i < n {
            fields.removeAll(keepingCapacity: true)
            var wellFormed = true
            // One record; every path through the loop consumes at least one byte or ends the input.
            while true {
                if i < n && b[i] == quote {
                    i += 1
                    let start = i
                    var escaped = false
                    var closed = false
                    while i < n {
                        // The next quote, by memchr: much of a registry file is quoted postal
                        // addresses, which need no look at each byte.
                        guard let next = memchr(b.baseAddress! + i, Int32(quote), n - i) else {
                            i = n
                            break
                        }
                        i = b.baseAddress!.distance(to: next.assumingMemoryBound(to: UInt8.self))
                        if i + 1 < n && b[i + 1] == quote {
                            escaped = true
                            i += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    fields.append(Field(start: start, end: i, escaped: escaped))
                    if closed { i += 1 } else { wellFormed = false }
                    // Bytes between a closing quote and the separator are not valid CSV.
                    while i < n && b[i] != comma && b[i] != lf && b[i] != cr {
                        wellFormed = false
                        i += 1
                    }
                } else {
                    let start = i
                    while i < n && b[i] != comma && b[i] != lf && b[i] != cr { i += 1 }
                    fields.append(Field(start: start, end: i, escaped: false))
                }
                if i < n && b[i] == comma {
                    i += 1
                    continue
                }
                if i < n && b[i] == cr { i += 1 }
                if i < n && b[i] == lf { i += 1 }
                break
            }
            defer { firstRecord = false }
            if fields.count == 1 && trimmed(b, fields[0]).isEmpty { continue }  // blank line
            if firstRecord && fields.count >= 2 && equals(b, fields[0], "Registry") { continue }  // header
            guard wellFormed, fields.count >= 3,
                let entry = entry(
                    b, registry: fields[0], assignment: fields[1],
                    organisation: fields[2], names: &result.names)
            else {
                result.malformedRows += 1
                continue
            }
            result.entries.append(entry)
        }
        return result
    }

    private static func entry(
        _ b: UnsafeBufferPointer<UInt8>, registry: Field, assignment: Field,
        organisation: Field, names: inout [UInt8]
    ) -> Entry? {
        let digits = trimmed(b, assignment)
        let expected: Int
        if equals(b, registry, "MA-L") {
            expected = 6
        } else if equals(b, registry, "MA-M") {
            expected = 7
        } else if equals(b, registry, "MA-S") || equals(b, registry, "IAB") {
            expected = 9
        } else {
            expected = digits.count
        }
        guard digits.count == expected, expected == 6 || expected == 7 || expected == 9,
            let prefix = hex(b, digits), let name = appendText(b, organisation, to: &names)
        else { return nil }
        return Entry(bits: expected * 4, prefix: prefix, organisation: name)
    }

    // MARK: Text

    static func parseText(_ b: UnsafeBufferPointer<UInt8>) -> Result {
        var result = Result()
        let hexMarker = Array("(hex)".utf8)
        let base16Marker = Array("(base 16)".utf8)
        var blockBase: UInt64?
        var i = 0
        let n = b.count
        while i < n {
            var end = i
            while end < n && b[end] != lf { end += 1 }
            defer { i = end + 1 }
            if let marker = find(base16Marker, in: b, from: i, to: end) {
                let left = trimmedRange(b, i, marker)
                if let entry = textEntry(b, left, blockBase: blockBase),
                    let name = appendText(
                        b, Field(start: marker + base16Marker.count, end: end, escaped: false), to: &result.names)
                {
                    result.entries.append(Entry(bits: entry.bits, prefix: entry.prefix, organisation: name))
                } else {
                    result.malformedRows += 1
                }
            } else if let marker = find(hexMarker, in: b, from: i, to: end) {
                // `70-B3-D5`: the 24-bit block the following range line refines.
                let left = trimmedRange(b, i, marker)
                var digits: [UInt8] = []
                for index in left where b[index] != UInt8(ascii: "-") { digits.append(b[index]) }
                blockBase = digits.count == 6 ? digits.withUnsafeBufferPointer { hex($0, 0..<6) } : nil
            }
        }
        return result
    }

    private static func textEntry(
        _ b: UnsafeBufferPointer<UInt8>, _ left: Range<Int>,
        blockBase: UInt64?
    ) -> (bits: Int, prefix: UInt64)? {
        if left.count == 6 {
            return hex(b, left).map { (24, $0) }
        }
        // `LLLLLL-UUUUUU`, the lower and upper 24 bits of the block within `blockBase`.
        guard left.count == 13, b[left.lowerBound + 6] == UInt8(ascii: "-"), let base = blockBase else { return nil }
        let lower = left.lowerBound..<(left.lowerBound + 6)
        let upper = (left.lowerBound + 7)..<left.upperBound
        guard hex(b, lower) != nil, hex(b, upper) != nil else { return nil }
        func all(_ range: Range<Int>, _ digit: UInt8) -> Bool { range.allSatisfy { b[$0] | 0x20 == digit | 0x20 } }
        func same(_ count: Int) -> Bool {
            (0..<count).allSatisfy { b[lower.lowerBound + $0] | 0x20 == b[upper.lowerBound + $0] | 0x20 }
        }
        if same(1), all(lower.dropFirst(1), UInt8(ascii: "0")), all(upper.dropFirst(1), UInt8(ascii: "F")),
            let nibble = hex(b, lower.lowerBound..<(lower.lowerBound + 1))
        {
            return (28, base << 4 | nibble)
        }
        if same(3), all(lower.dropFirst(3), UInt8(ascii: "0")), all(upper.dropFirst(3), UInt8(ascii: "F")),
            let low12 = hex(b, lower.lowerBound..<(lower.lowerBound + 3))
        {
            return (36, base << 12 | low12)
        }
        return nil
    }

    // MARK: Bytes

    private static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab || c == cr }

    private static func trimmedRange(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var s = start
        var e = end
        while s < e && isBlank(b[s]) { s += 1 }
        while e > s && isBlank(b[e - 1]) { e -= 1 }
        return s..<e
    }

    private static func trimmed(_ b: UnsafeBufferPointer<UInt8>, _ field: Field) -> Range<Int> {
        trimmedRange(b, field.start, field.end)
    }

    private static func equals(_ b: UnsafeBufferPointer<UInt8>, _ field: Field, _ literal: StaticString) -> Bool {
        let range = trimmed(b, field)
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let raw = literal.utf8Start
        return (0..<range.count).allSatisfy { b[range.lowerBound + $0] == raw[$0] }
    }

    private static func hex(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty, range.count <= 16 else { return nil }
        var value: UInt64 = 0
        for index in range {
            let c = b[index]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// Appends the field's text to `names`, trimmed, doubled quotes collapsed; returns where it
    /// landed, or nil (and appends nothing) when it is empty.
    private static func appendText(
        _ b: UnsafeBufferPointer<UInt8>, _ field: Field, to names: inout [UInt8]
    ) -> Range<Int>? {
        let range = trimmed(b, field)
        guard !range.isEmpty else { return nil }
        let start = names.count
        if field.escaped {
            var index = range.lowerBound
            while index < range.upperBound {
                names.append(b[index])
                index += b[index] == quote && index + 1 < range.upperBound && b[index + 1] == quote ? 2 : 1
            }
        } else {
            names.append(contentsOf: UnsafeBufferPointer(rebasing: b[range]))
        }
        return start..<names.count
    }

    private static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int?
    {
        guard let first = needle.first, end - start >= needle.count else { return nil }
        var index = start
        while index + needle.count <= end {
            if b[index] == first {
                var match = true
                for offset in 1..<needle.count where b[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
