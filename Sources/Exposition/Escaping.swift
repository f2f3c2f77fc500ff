/// The escapes of both formats. Label values (text 0.0.4 and OpenMetrics 1.0 alike): `\` → `\\`,
/// `"` → `\"`, LF → `\n`. HELP: `\` → `\\` and LF → `\n`; OpenMetrics also escapes `"` there, since
/// its ABNF `escaped-string` excludes a bare DQUOTE. Input is sanitized first (`TextSanitizer`), so
/// no raw LF or CR reaches the output.
public enum Escaping {
    /// The escaped form of a label value (after sanitizing), without the surrounding quotes.
    public static func escapedLabelValue(_ value: String) -> String {
        var clean: [UInt8] = []
        TextSanitizer.appendUTF8(of: value, to: &clean)
        var out: [UInt8] = []
        clean.withUnsafeBufferPointer { appendLabelValue($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The escaped form of HELP text (after sanitizing) in `format`.
    public static func escapedHelp(_ help: String, format: ExpositionFormat) -> String {
        var out: [UInt8] = []
        appendHelp(help, format: format, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` (already sanitized) escaped.
    static func appendLabelValue(_ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        appendEscaped(value, escapingQuote: true, to: &out)
    }

    /// Appends raw `value` sanitized and escaped. Printable ASCII without `"` or `\` — MACs,
    /// addresses, most hostnames and vendors — is copied as is in one go; anything else takes the
    /// sanitizer and the escaper through `scratch`.
    static func appendRawLabelValue(_ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], scratch: inout [UInt8])
    {
        if isPlain(value) {
            out.append(contentsOf: value)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        TextSanitizer.append(value, to: &scratch)
        scratch.withUnsafeBufferPointer { appendLabelValue($0, to: &out) }
    }

    /// Printable ASCII other than `"` and `\`: the same after sanitizing and escaping.
    static func isPlain(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in value where b < 0x20 || b > 0x7E || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
        return true
    }

    /// `appendRawLabelValue` for a string's UTF-8.
    static func appendRawLabelValue(_ value: String, to out: inout [UInt8], scratch: inout [UInt8]) {
        let done: Void? = value.utf8.withContiguousStorageIfAvailable {
            appendRawLabelValue($0, to: &out, scratch: &scratch)
        }
        if done == nil {
            let copy = Array(value.utf8)
            copy.withUnsafeBufferPointer { appendRawLabelValue($0, to: &out, scratch: &scratch) }
        }
    }

    static func appendHelp(_ help: String, format: ExpositionFormat, to out: inout [UInt8]) {
        var clean: [UInt8] = []
        TextSanitizer.appendUTF8(of: help, to: &clean)
        clean.withUnsafeBufferPointer { appendEscaped($0, escapingQuote: format == .openMetrics, to: &out) }
    }

    private static func appendEscaped(_ value: UnsafeBufferPointer<UInt8>, escapingQuote: Bool, to out: inout [UInt8]) {
        var runStart = 0
        for i in 0..<value.count {
            let escaped: UInt8
            switch value[i] {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\"") where escapingQuote: escaped = UInt8(ascii: "\"")
            default: continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: value[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            out.append(escaped)
            runStart = i + 1
        }
        if runStart < value.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: value[runStart..<value.count]))
        }
    }
}
