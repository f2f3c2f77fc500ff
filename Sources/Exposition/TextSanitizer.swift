/// Makes arbitrary bytes safe to print inside a label value or HELP text.
///
/// - Invalid UTF-8 is repaired: each maximal ill-formed subsequence becomes one U+FFFD, the
///   practice recommended by Unicode 15, §3.9 ("U+FFFD Substitution of Maximal Subparts") and the one
///   `String(decoding:as:)` follows, so bytes and strings sanitize alike.
/// - CR (U+000D) also becomes U+FFFD. Neither format has an escape for it, OpenMetrics 1.0
///   ("Overall Structure") forbids carriage returns in an exposition, and some consumers read a raw
///   CR as a line break; replacing it keeps every output line a single line.
/// - LF, `\` and `"` are kept here; they are escaped when written. Other control characters (tab,
///   NUL, ...) are legal in both formats and kept as they are.
public enum TextSanitizer {
    static let replacement: (UInt8, UInt8, UInt8) = (0xEF, 0xBF, 0xBD)

    /// The sanitized form of `bytes` as a string.
    public static func sanitize(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        let input = Array(bytes)
        input.withUnsafeBufferPointer { append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The sanitized form of `text` (only CR can change, a `String` is already valid UTF-8).
    public static func sanitize(_ text: String) -> String {
        var out: [UInt8] = []
        appendUTF8(of: text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendUTF8(of text: String, to out: inout [UInt8]) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { append($0, to: &out) }
        if done == nil {
            let copy = Array(text.utf8)
            copy.withUnsafeBufferPointer { append($0, to: &out) }
        }
    }

    /// Appends the sanitized form of `input` to `out`.
    static func append(_ input: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = input.count
        var i = 0
        var runStart = 0
        while i < n {
            let b = input[i]
            if b < 0x80 {
                if b == 0x0D {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<i]))
                    appendReplacement(to: &out)
                    i += 1
                    runStart = i
                } else {
                    i += 1
                }
                continue
            }
            let length = validSequenceLength(input, at: i)
            if length > 0 {
                i += length
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<i]))
            appendReplacement(to: &out)
            i += max(1, maximalSubpartLength(input, at: i))
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<n]))
    }

    private static func appendReplacement(to out: inout [UInt8]) {
        out.append(replacement.0)
        out.append(replacement.1)
        out.append(replacement.2)
    }

    /// Allowed range of the second byte after a lead byte (Unicode 15, Table 3-7), or nil when
    /// `lead` cannot start a multi-byte sequence.
    private static func sequenceShape(lead: UInt8) -> (length: Int, secondLow: UInt8, secondHigh: UInt8)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: nil
        }
    }

    /// Length of the well-formed sequence at `i`, or 0 when it is ill-formed.
    private static func validSequenceLength(_ input: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        guard let shape = sequenceShape(lead: input[i]) else { return 0 }
        return maximalSubpartLength(input, at: i) == shape.length ? shape.length : 0
    }

    /// How many bytes from `i` form the longest prefix of a well-formed sequence (1 for a byte that
    /// cannot start one). Equal to the full length when the sequence is complete and valid.
    private static func maximalSubpartLength(_ input: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        guard let shape = sequenceShape(lead: input[i]) else { return 1 }
        var k = 1
        while k < shape.length {
            let j = i + k
            guard j < input.count else { return k }
            let b = input[j]
            let (low, high): (UInt8, UInt8) = k == 1 ? (shape.secondLow, shape.secondHigh) : (0x80, 0xBF)
            guard b >= low && b <= high else { return k }
            k += 1
        }
        return k
    }
}
