/// Sample values as both formats spell them: `+Inf`, `-Inf`, `NaN`; integral values below 2^53 in
/// magnitude as plain integers (`12345`, never `1.2345e+04`); anything else as the shortest decimal
/// that reads back to the same double (Swift's `description` without a trailing `.0`, e.g. `0.1`,
/// `1e-07`, `1.5e+300`, `9007199254740992`).
/// Negative zero prints as `0`.
public enum NumberFormatting {
    static let exactIntegerLimit = 9_007_199_254_740_992.0  // 2^53

    /// The text of `value` as written in a sample line.
    public static func format(_ value: Double) -> String {
        var out: [UInt8] = []
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func append(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN {
            out.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "a"), UInt8(ascii: "N")])
        } else if value.isInfinite {
            out.append(value > 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            out.append(contentsOf: [UInt8(ascii: "I"), UInt8(ascii: "n"), UInt8(ascii: "f")])
        } else if value.magnitude < exactIntegerLimit && value.rounded(.towardZero) == value {
            let integer = Int64(value)
            if integer < 0 { out.append(UInt8(ascii: "-")) }
            append(integer.magnitude, to: &out)
        } else {
            // `description` is the shortest round-trip form but spells some large integral values
            // as "9007199254740992.0"; the ".0" adds nothing.
            let text = value.description.utf8
            out.append(
                contentsOf: text.count > 2 && text.reversed().starts(with: ".0".utf8.reversed())
                    ? text.dropLast(2) : text[...])
        }
    }

    static func append(_ value: UInt64, to out: inout [UInt8]) {
        // Digits are written backwards into a stack buffer; UInt64.max has 20 digits.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var i = raw.count
            var v = value
            repeat {
                i -= 1
                base[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            } while v > 0
            out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: raw.count - i))
        }
    }
}
