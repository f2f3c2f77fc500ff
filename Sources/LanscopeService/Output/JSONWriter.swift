import LanscopeCore

/// A small streaming JSON writer: deterministic (callers emit keys in a fixed order) and escape-safe
/// (RFC 8259 §7: quotes, backslash and every control character escaped; invalid UTF-8 cannot occur
/// because Swift strings are valid Unicode — bytes from the wire were decoded with replacement).
public struct JSONWriter: ~Copyable {
    /// The output so far (a copy: read it once, at the end).
    public var bytes: [UInt8] { out.array }
    private var out: Output
    /// Bit `depth` is set once the container open at that depth (0: the top level) holds an item, so
    /// the next one needs a comma. A bit set, not an array: this is checked for every value written.
    private var commaBits: UInt64 = 0
    private var depth = 0
    /// Containers nest at most this deep (lanscope's documents use five levels).
    public static let maxDepth = 63
    private let pretty: Bool

    public init(pretty: Bool = false, reserve: Int = 4096) {
        self.pretty = pretty
        out = Output(capacity: reserve)
    }

    public var string: String { String(decoding: out.buffer, as: UTF8.self) }

    /// The writer's own growable buffer: an append is a capacity test and a store. A `[UInt8]` checks
    /// its buffer's uniqueness on every append, and a 10,000-device `/devices.json` makes millions of
    /// them (`JSONWriter` is not copyable, so nothing else ever shares this memory).
    struct Output: ~Copyable {
        private var base: UnsafeMutablePointer<UInt8>
        private(set) var count = 0
        private var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }

        var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
        var array: [UInt8] { Array(buffer) }

        @inline(__always) private mutating func reserve(_ extra: Int) {
            if count + extra > capacity { grow(to: count + extra) }
        }

        private mutating func grow(to needed: Int) {
            var newCapacity = capacity * 2
            while newCapacity < needed { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity = newCapacity
        }

        @inline(__always) mutating func append(_ byte: UInt8) {
            reserve(1)
            base[count] = byte
            count += 1
        }

        mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            reserve(bytes.count)
            (base + count).update(from: source, count: bytes.count)
            count += bytes.count
        }

        mutating func append(contentsOf bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
        }

        mutating func append(_ byte: UInt8, repeating times: Int) {
            guard times > 0 else { return }
            reserve(times)
            (base + count).initialize(repeating: byte, count: times)
            count += times
        }

        mutating func append(_ text: StaticString) {
            text.withUTF8Buffer { append(contentsOf: $0) }
        }

        /// Writes `length` bytes in place through `body`.
        mutating func append(length: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
            reserve(length)
            body(UnsafeMutableBufferPointer(start: base + count, count: length))
            count += length
        }

    }

    private mutating func separator() {
        let bit: UInt64 = 1 << UInt64(depth)
        if commaBits & bit != 0 { out.append(UInt8(ascii: ",")) }
        commaBits |= bit
        // Pretty output puts each item on its own line; a top-level value starts the output.
        if pretty && depth > 0 { newline() }
    }

    private mutating func newline() {
        out.append(UInt8(ascii: "\n"))
        out.append(UInt8(ascii: " "), repeating: 2 * depth)
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ c: UInt8) {
        precondition(depth < Self.maxDepth, "JSONWriter: containers nested deeper than \(Self.maxDepth)")
        value { $0.out.append(c) }
        depth += 1
        commaBits &= ~(1 << UInt64(depth))
    }

    private mutating func close(_ c: UInt8) {
        precondition(depth > 0, "JSONWriter: more containers closed than opened")
        let hadItems = commaBits & (1 << UInt64(depth)) != 0
        depth -= 1
        if pretty && hadItems { newline() }
        out.append(c)
    }

    private var pendingKey = false
    @inline(__always) private mutating func value(_ body: (inout JSONWriter) -> Void) {
        if pendingKey { pendingKey = false } else { separator() }
        body(&self)
    }

    /// A member name fixed in the source: copied as it is (our names are plain identifiers), no `String`.
    public mutating func key(_ name: StaticString) {
        separator()
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { utf8 in
            assert(
                !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") },
                "JSON names in the source need no escaping")
            out.append(contentsOf: utf8)
        }
        out.append(UInt8(ascii: "\""))
        endKey()
    }

    /// A member name known only at run time, escaped like any string.
    public mutating func key(text name: String) {
        separator()
        appendString(name)
        endKey()
    }

    private mutating func endKey() {
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(UInt8(ascii: " ")) }
        pendingKey = true
    }

    public mutating func string(_ s: String) { value { $0.appendString(s) } }
    /// A string whose UTF-8 `write` appends straight into the output (addresses, MACs), without a
    /// `String`. Meant for ASCII that needs no escaping; anything that does is escaped all the same.
    public mutating func ascii(_ write: (inout [UInt8]) -> Void) {
        value { w in
            // Written into a reused scratch array (the callers' text writers append to `[UInt8]`), then
            // copied in: a MAC or an address is a few dozen bytes. Written in place, so the array stays
            // uniquely held and keeps its capacity.
            w.scratch.removeAll(keepingCapacity: true)
            write(&w.scratch)
            let needsEscaping = w.scratch.contains {
                $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            }
            if needsEscaping {
                w.appendString(String(decoding: w.scratch, as: UTF8.self))
            } else {
                w.out.append(UInt8(ascii: "\""))
                w.out.append(contentsOf: w.scratch)
                w.out.append(UInt8(ascii: "\""))
            }
        }
    }
    /// The scratch buffer `ascii` writes into, kept for its capacity.
    private var scratch: [UInt8] = []
    /// A timestamp as an RFC 3339 string, written without building an intermediate `String`.
    public mutating func timestamp(_ t: Timestamp) {
        value { w in
            w.out.append(UInt8(ascii: "\""))
            w.out.append(length: 24) { t.writeRFC3339(into: $0) }
            w.out.append(UInt8(ascii: "\""))
        }
    }
    public mutating func field(_ name: StaticString, _ t: Timestamp) { key(name); timestamp(t) }
    public mutating func stringOrNull(_ s: String?) { if let s { string(s) } else { null() } }
    public mutating func int<I: BinaryInteger>(_ v: I) {
        value { $0.appendDigits(of: UInt64(truncatingIfNeeded: v.magnitude), negative: v < 0) }
    }
    public mutating func bool(_ v: Bool) { value { $0.out.append(v ? "true" : "false") } }
    public mutating func null() { value { $0.out.append("null") } }
    public mutating func double(_ v: Double) {
        value { w in
            if v.isFinite {
                if v == v.rounded() && abs(v) < 1e15 {
                    w.appendDigits(of: Int64(v))
                } else if !w.appendThousandths(v) {
                    w.out.append(contentsOf: Array(String(v).utf8))
                }
            } else {
                w.out.append("null")
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
        if thousandths < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(of: Int64(thousandths.magnitude / 1000))
        var fraction = thousandths.magnitude % 1000
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        out.append(UInt8(ascii: "."))
        var divisor: UInt64 = digits == 3 ? 100 : digits == 2 ? 10 : 1
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
        return true
    }

    /// The decimal digits of `v`, with a minus sign when negative, without building a `String`.
    private mutating func appendDigits(of v: Int64) { appendDigits(of: v.magnitude, negative: v < 0) }

    private mutating func appendDigits(of magnitude: UInt64, negative: Bool) {
        var magnitude = magnitude
        if negative { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var i = raw.count
            repeat {
                i -= 1
                raw[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            let digitsStart = raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + i
            out.append(contentsOf: UnsafeBufferPointer(start: digitsStart, count: raw.count - i))
        }
    }

    public mutating func field(_ name: StaticString, _ s: String?) { key(name); stringOrNull(s) }
    public mutating func field<I: BinaryInteger>(_ name: StaticString, _ v: I) { key(name); int(v) }
    public mutating func field(_ name: StaticString, _ v: Bool) { key(name); bool(v) }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ s: String) {
        out.append(UInt8(ascii: "\""))
        var text = s
        text.withUTF8 { utf8 in
            // Copy runs of plain bytes at once; escape the rest.
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == 0x7F || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                runStart = i + 1
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
                case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        JSONWriter.hex[Int(b >> 4)], JSONWriter.hex[Int(b & 0xF)],
                    ])
                }
            }
            if runStart < utf8.count {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
