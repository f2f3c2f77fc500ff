/// Name rules shared by both formats (Prometheus data model; OpenMetrics 1.0 ABNF `metricname`,
/// `label-name`). Checked on UTF-8 bytes, no regular expressions.
public enum NameValidation {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            guard isLetterOrUnderscore(b) || b == UInt8(ascii: ":") || (!first && isDigit(b)) else { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__` (reserved for internal use).
    public static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            guard isLetterOrUnderscore(b) || (!first && isDigit(b)) else { return false }
            first = false
        }
        return !first && !name.utf8.starts(with: [UInt8(ascii: "_"), UInt8(ascii: "_")])
    }

    /// `[a-zA-Z0-9_:]+` (OpenMetrics `*metricname-char`; an empty unit means "no unit").
    public static func isValidUnit(_ unit: String) -> Bool {
        !unit.isEmpty && unit.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) || $0 == UInt8(ascii: ":") }
    }

    private static func isLetterOrUnderscore(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
