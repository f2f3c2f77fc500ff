import LanscopeCore

/// A small streaming JSON writer: deterministic (callers emit keys in a fixed order) and escape-safe
/// (RFC 8259 §7: quotes, backslash and every control character escaped; invalid UTF-8 cannot occur
/// because Swift strings are valid Unicode — bytes from the wire were decoded with replacement).
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    private let pretty: Bool

    public init(pretty: Bool = false, reserve: Int = 4096) {
        self.pretty = pretty
        bytes.reserveCapacity(reserve)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        // Pretty output puts each item on its own line; a top-level value starts the output.
        if pretty && needsComma.count > 1 { newline() }
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * (needsComma.count - 1)))
    }

    public mutating func beginObject() { value { $0.bytes.append(UInt8(ascii: "{")) }; needsComma.append(false) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { value { $0.bytes.append(UInt8(ascii: "[")) }; needsComma.append(false) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func close(_ c: UInt8) {
        let hadItems = needsComma.removeLast()
        if pretty && hadItems { newline() }
        bytes.append(c)
    }

    private var pendingKey = false
    private mutating func value(_ body: (inout JSONWriter) -> Void) {
        if pendingKey { pendingKey = false } else { separator() }
        body(&self)
    }

    public mutating func key(_ name: String) {
        separator()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        pendingKey = true
    }

    public mutating func string(_ s: String) { value { $0.appendString(s) } }
    /// A timestamp as an RFC 3339 string, written without building an intermediate `String`.
    public mutating func timestamp(_ t: Timestamp) {
        value { w in
            w.bytes.append(UInt8(ascii: "\""))
            let start = w.bytes.count
            w.bytes.append(contentsOf: repeatElement(0, count: 24))
            w.bytes.withUnsafeMutableBufferPointer { t.writeRFC3339(into: UnsafeMutableBufferPointer(rebasing: $0[start..<start + 24])) }
            w.bytes.append(UInt8(ascii: "\""))
        }
    }
    public mutating func field(_ name: String, _ t: Timestamp) { key(name); timestamp(t) }
    public mutating func stringOrNull(_ s: String?) { if let s { string(s) } else { null() } }
    public mutating func int<I: BinaryInteger>(_ v: I) {
        value { w in
            // Digits without building a String.
            var magnitude = UInt64(truncatingIfNeeded: v.magnitude)
            if v < 0 { w.bytes.append(UInt8(ascii: "-")) }
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &digits) { raw in
                var i = raw.count
                repeat {
                    i -= 1
                    raw[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                w.bytes.append(contentsOf: raw[i...])
            }
        }
    }
    public mutating func bool(_ v: Bool) { value { $0.bytes.append(contentsOf: (v ? "true" : "false").utf8) } }
    public mutating func null() { value { $0.bytes.append(contentsOf: "null".utf8) } }
    public mutating func double(_ v: Double) {
        value { w in
            if v.isFinite { w.bytes.append(contentsOf: (v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)).utf8) }
            else { w.bytes.append(contentsOf: "null".utf8) }
        }
    }

    public mutating func field(_ name: String, _ s: String?) { key(name); stringOrNull(s) }
    public mutating func field<I: BinaryInteger>(_ name: String, _ v: I) { key(name); int(v) }
    public mutating func field(_ name: String, _ v: Bool) { key(name); bool(v) }

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
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              JSONWriter.hex[Int(b >> 4)], JSONWriter.hex[Int(b & 0xF)]])
                }
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
