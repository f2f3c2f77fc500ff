import LanscopeCore

/// A small streaming JSON writer: deterministic (callers emit keys in a fixed order) and escape-safe
/// (RFC 8259 §7: quotes, backslash and every control character escaped; invalid UTF-8 cannot occur
/// because Swift strings are valid Unicode — bytes from the wire were decoded with replacement).
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Bit `depth` is set once the container open at that depth (0: the top level) holds an item, so
    /// the next one needs a comma. A bit set, not an array: this is checked for every value written.
    private var commaBits: UInt64 = 0
    private var depth = 0
    /// Containers nest at most this deep (lanscope's documents use five levels).
    public static let maxDepth = 63
    private let pretty: Bool

    public init(pretty: Bool = false, reserve: Int = 4096) {
        self.pretty = pretty
        bytes.reserveCapacity(reserve)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separator() {
        let bit: UInt64 = 1 << UInt64(depth)
        if commaBits & bit != 0 { bytes.append(UInt8(ascii: ",")) }
        commaBits |= bit
        // Pretty output puts each item on its own line; a top-level value starts the output.
        if pretty && depth > 0 { newline() }
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ c: UInt8) {
        precondition(depth < Self.maxDepth, "JSONWriter: containers nested deeper than \(Self.maxDepth)")
        value { $0.bytes.append(c) }
        depth += 1
        commaBits &= ~(1 << UInt64(depth))
    }

    private mutating func close(_ c: UInt8) {
        precondition(depth > 0, "JSONWriter: more containers closed than opened")
        let hadItems = commaBits & (1 << UInt64(depth)) != 0
        depth -= 1
        if pretty && hadItems { newline() }
        bytes.append(c)
    }

    private var pendingKey = false
    private mutating func value(_ body: (inout JSONWriter) -> Void) {
        if pendingKey { pendingKey = false } else { separator() }
        body(&self)
    }

    /// A member name fixed in the source: copied as it is (our names are plain identifiers), no `String`.
    public mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { utf8 in
            assert(
                !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") },
                "JSON names in the source need no escaping")
            bytes.append(contentsOf: utf8)
        }
        bytes.append(UInt8(ascii: "\""))
        endKey()
    }

    /// A member name known only at run time, escaped like any string.
    public mutating func key(text name: String) {
        separator()
        appendString(name)
        endKey()
    }

    private mutating func endKey() {
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        pendingKey = true
    }

    public mutating func string(_ s: String) { value { $0.appendString(s) } }
    /// A string whose UTF-8 `write` appends straight into the output (addresses, MACs), without a
    /// `String`. Meant for ASCII that needs no escaping; anything that does is escaped all the same.
    public mutating func ascii(_ write: (inout [UInt8]) -> Void) {
        value { w in
            w.bytes.append(UInt8(ascii: "\""))
            let start = w.bytes.count
            write(&w.bytes)
            let needsEscaping = w.bytes[start...].contains {
                $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            }
            if needsEscaping {
                let raw = String(decoding: w.bytes[start...], as: UTF8.self)
                w.bytes.removeSubrange(start...)
                w.bytes.removeLast()
                w.appendString(raw)
                return
            }
            w.bytes.append(UInt8(ascii: "\""))
        }
    }
    /// A timestamp as an RFC 3339 string, written without building an intermediate `String`.
    public mutating func timestamp(_ t: Timestamp) {
        value { w in
            w.bytes.append(UInt8(ascii: "\""))
            let start = w.bytes.count
            w.bytes.append(contentsOf: repeatElement(0, count: 24))
            w.bytes.withUnsafeMutableBufferPointer {
                t.writeRFC3339(into: UnsafeMutableBufferPointer(rebasing: $0[start..<start + 24]))
            }
            w.bytes.append(UInt8(ascii: "\""))
        }
    }
    public mutating func field(_ name: StaticString, _ t: Timestamp) { key(name); timestamp(t) }
    public mutating func stringOrNull(_ s: String?) { if let s { string(s) } else { null() } }
    public mutating func int<I: BinaryInteger>(_ v: I) {
        value { $0.appendDigits(of: UInt64(truncatingIfNeeded: v.magnitude), negative: v < 0) }
    }
    public mutating func bool(_ v: Bool) { value { $0.bytes.append(contentsOf: (v ? "true" : "false").utf8) } }
    public mutating func null() { value { $0.bytes.append(contentsOf: "null".utf8) } }
    public mutating func double(_ v: Double) {
        value { w in
            if v.isFinite {
                if v == v.rounded() && abs(v) < 1e15 {
                    w.appendDigits(of: Int64(v))
                } else if !w.appendThousandths(v) {
                    w.bytes.append(contentsOf: String(v).utf8)
                }
            } else {
                w.bytes.append(contentsOf: "null".utf8)
            }
        }
    }

    /// Writes `v` when it is the double nearest to a whole number of thousandths (confidences and weights
    /// are rounded so), as that decimal without trailing zeros — the digits `String(v)` prints, since
    /// that decimal reads back as `v` and no shorter one can (two decimals of at most three fractional
    /// digits differ by at least 0.001, far more than `v`'s spacing below 10^12) — without building a
    /// `String`. Returns false, writing nothing, for any other value.
    private mutating func appendThousandths(_ v: Double) -> Bool {
        let scaled = (v * 1000).rounded()
        guard abs(scaled) < 1e15, scaled / 1000 == v else { return false }
        let thousandths = Int64(scaled)
        guard thousandths % 1000 != 0 else { return false }
        if thousandths < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(of: Int64(thousandths.magnitude / 1000))
        var fraction = thousandths.magnitude % 1000
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        var divisor: UInt64 = digits == 3 ? 100 : digits == 2 ? 10 : 1
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
        return true
    }

    /// The decimal digits of `v`, with a minus sign when negative, without building a `String`.
    private mutating func appendDigits(of v: Int64) { appendDigits(of: v.magnitude, negative: v < 0) }

    private mutating func appendDigits(of magnitude: UInt64, negative: Bool) {
        var magnitude = magnitude
        if negative { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var i = raw.count
            repeat {
                i -= 1
                raw[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: raw[i...])
        }
    }

    public mutating func field(_ name: StaticString, _ s: String?) { key(name); stringOrNull(s) }
    public mutating func field<I: BinaryInteger>(_ name: StaticString, _ v: I) { key(name); int(v) }
    public mutating func field(_ name: StaticString, _ v: Bool) { key(name); bool(v) }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = s
        text.withUTF8 { utf8 in
            // Copy runs of plain bytes at once; escape the rest.
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == 0x7F || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                runStart = i + 1
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
                case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        JSONWriter.hex[Int(b >> 4)], JSONWriter.hex[Int(b & 0xF)],
                    ])
                }
            }
            if runStart < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
