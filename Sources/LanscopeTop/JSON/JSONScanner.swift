#if canImport(Glibc)
    import Glibc
#endif

/// A pull scanner over JSON bytes (RFC 8259): the caller walks objects and arrays, reads the fields it
/// wants and skips the rest without building them. `/devices.json` for 10,000 devices is ~11 MB read
/// every second, and `top` needs a dozen of each device's ~60 fields.
struct JSONScanner {
    struct Failure: Error, Equatable {
        let offset: Int
        let reason: String
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0
    /// Nesting allowed before the input is refused (a hostile server cannot exhaust the stack).
    static let maxDepth = 64
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    @inline(__always)
    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek() == byte else { throw fail("expected \(Character(Unicode.Scalar(byte)))") }
        index += 1
    }

    /// Whether the input holds nothing but whitespace from here.
    mutating func atEnd() -> Bool { peek() == nil }

    // MARK: containers

    mutating func beginObject() throws(Failure) {
        try expect(UInt8(ascii: "{"))
        try enter()
        first = true
    }

    mutating func beginArray() throws(Failure) {
        try expect(UInt8(ascii: "["))
        try enter()
        first = true
    }

    private var first = true

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
    }

    /// The next key's raw bytes (between its quotes) with the `:` consumed, or nil at the object's end.
    mutating func nextKey() throws(Failure) -> Range<Int>? {
        guard let b = peek() else { throw fail("unterminated object") }
        if b == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            first = false
            return nil
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a key") }
        let range = try rawString()
        try expect(UInt8(ascii: ":"))
        first = true
        return range
    }

    /// Whether another element follows (its separator consumed), false at the array's end.
    mutating func nextElement() throws(Failure) -> Bool {
        guard let b = peek() else { throw fail("unterminated array") }
        if b == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            first = false
            return false
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = true
        return true
    }

    /// Marks the value after a key or element as read, so the next `nextKey`/`nextElement` wants a comma.
    private mutating func valueDone() { first = false }

    @inline(__always)
    func key(_ range: Range<Int>, is literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<range.count where bytes[range.lowerBound + k] != p[k] { return false }
        return true
    }

    // MARK: scalars

    /// A string's raw content range (escapes left in place), the closing quote consumed. The closing
    /// quote is found with `memchr` (strings are most of the bytes) and is one not escaped: preceded by
    /// an even number of backslashes.
    private mutating func rawString() throws(Failure) -> Range<Int> {
        index += 1  // opening quote
        let start = index
        guard let base = bytes.baseAddress else { throw fail("unterminated string") }
        var from = index
        while from < bytes.count, let found = memchr(base + from, 0x22, bytes.count - from) {
            let quote = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            var backslashes = 0
            while quote - backslashes - 1 >= start, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") {
                backslashes += 1
            }
            if backslashes % 2 == 0 {
                index = quote + 1
                return start..<quote
            }
            from = quote + 1
        }
        index = bytes.count
        throw fail("unterminated string")
    }

    /// A string value, or nil for `null`.
    mutating func string() throws(Failure) -> String? {
        defer { valueDone() }
        switch peek() {
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        case UInt8(ascii: "\""):
            let range = try rawString()
            let raw = UnsafeBufferPointer(rebasing: bytes[range])
            if !raw.contains(UInt8(ascii: "\\")) { return String(decoding: raw, as: UTF8.self) }
            return try unescape(raw)
        default:
            throw fail("expected a string")
        }
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws(Failure) -> String {
        var out = String.UnicodeScalarView()
        var i = 0
        var high: UInt32? = nil
        while i < raw.count {
            let isUnicodeEscape = raw[i] == UInt8(ascii: "\\") && i + 1 < raw.count && raw[i + 1] == UInt8(ascii: "u")
            // A high surrogate not followed by its low half (RFC 8259 §7) becomes U+FFFD.
            if high != nil, !isUnicodeEscape {
                out.append("\u{FFFD}")
                high = nil
            }
            if isUnicodeEscape {
                guard i + 6 <= raw.count,
                    let v = UInt32(String(decoding: raw[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)
                else { throw Failure(offset: index, reason: "bad \\u escape") }
                i += 6
                if (0xD800...0xDBFF).contains(v) {
                    if high != nil { out.append("\u{FFFD}") }
                    high = v
                } else if (0xDC00...0xDFFF).contains(v) {
                    let combined = high.map { 0x10000 + (($0 - 0xD800) << 10) + (v - 0xDC00) }
                    out.append(combined.flatMap(Unicode.Scalar.init) ?? "\u{FFFD}")
                    high = nil
                } else {
                    out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                }
                continue
            }
            if raw[i] == UInt8(ascii: "\\"), i + 1 < raw.count {
                let e = raw[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append("\n")
                case UInt8(ascii: "t"): out.append("\t")
                case UInt8(ascii: "r"): out.append("\r")
                case UInt8(ascii: "b"): out.append("\u{08}")
                case UInt8(ascii: "f"): out.append("\u{0C}")
                default: out.append(Unicode.Scalar(e))  // \" \\ \/
                }
                continue
            }
            // A run of plain bytes, decoded as UTF-8 (invalid sequences become U+FFFD).
            var j = i
            while j < raw.count, raw[j] != UInt8(ascii: "\\") { j += 1 }
            out.append(contentsOf: String(decoding: raw[i..<j], as: UTF8.self).unicodeScalars)
            i = j
        }
        if high != nil { out.append("\u{FFFD}") }
        return String(out)
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw fail("truncated literal") }
        for k in 0..<n where bytes[index + k] != word.utf8Start[k] { throw fail("bad literal") }
        index += n
    }

    /// A number as a Double, or nil for `null`.
    mutating func number() throws(Failure) -> Double? {
        defer { valueDone() }
        guard let b = peek() else { throw fail("expected a number") }
        if b == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        let start = index
        // Integers (every counter) are read exactly without going through text.
        var integer: UInt64 = 0
        var plain = true
        while index < bytes.count {
            let c = bytes[index]
            if c >= 0x30 && c <= 0x39 {
                let (m, o1) = integer.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
                if o1 || o2 { plain = false }
                integer = s
            } else if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == 0x65
                || c == 0x45
            {
                plain = false
            } else {
                break
            }
            index += 1
        }
        guard index > start else { throw fail("expected a number") }
        if plain { return Double(integer) }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw fail("bad number")
        }
        return value
    }

    /// A non-negative integer (counters), exact to 2⁶⁴−1; nil for `null`.
    mutating func unsigned() throws(Failure) -> UInt64? {
        defer { valueDone() }
        guard let b = peek() else { throw fail("expected a number") }
        if b == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        var value: UInt64 = 0
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[index] - 0x30))
            guard !o1, !o2 else { throw fail("integer out of range") }
            value = s
            index += 1
        }
        guard index > start else { throw fail("expected an unsigned integer") }
        return value
    }

    /// A boolean, or nil for `null`.
    mutating func bool() throws(Failure) -> Bool? {
        defer { valueDone() }
        switch peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        default: throw fail("expected a boolean")
        }
    }

    /// Whether the next value is `null` (consumed if so).
    mutating func null() throws(Failure) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        valueDone()
        return true
    }

    /// Skips one value of any kind.
    mutating func skipValue() throws(Failure) {
        guard let b = peek() else { throw fail("expected a value") }
        switch b {
        case UInt8(ascii: "{"):
            try beginObject()
            while try nextKey() != nil { try skipValue() }
        case UInt8(ascii: "["):
            try beginArray()
            while try nextElement() { try skipValue() }
        case UInt8(ascii: "\""):
            _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            // Skipped numbers (confidences, weights, packet counts) are not converted.
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            guard index > start else { throw fail("expected a value") }
        }
        valueDone()
    }

    @inline(__always)
    static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
            || b == 0x65 || b == 0x45
    }
}
