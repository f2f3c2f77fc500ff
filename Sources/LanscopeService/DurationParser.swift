/// Parses human durations for flags such as `--since 1h` and `?since=`: one or more `<number><unit>`
/// groups with units `ms`, `s`, `m`, `h`, `d`, `w` (e.g. `90s`, `1h30m`, `7d`), at most ``maximum``.
public enum DurationParser {
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case invalid(String)
        /// Well formed but longer than ``DurationParser/maximum``.
        case tooLong(String)
        public var description: String {
            switch self {
            case .invalid(let s):
                return "invalid duration \"\(s)\": use a number with a unit, e.g. 30s, 15m, 1h, 7d or 1h30m"
            case .tooLong(let s):
                return "duration \"\(s)\" is too long: at most 15250w (about 292 years)"
            }
        }
    }

    /// The longest duration accepted: what a `Timestamp` (signed 64-bit nanoseconds) can hold, in whole
    /// milliseconds (about 292 years). Subtracting anything longer from "now" would wrap around, so
    /// `?since=20000w` would select from the future and return nothing.
    public static let maximumMilliseconds: Int64 = Int64.max / 1_000_000
    public static let maximum = Duration.milliseconds(maximumMilliseconds)

    public static func parse(_ text: String) throws(Error) -> Duration {
        let chars = Array(text.utf8)
        guard !chars.isEmpty, chars.count <= 32 else { throw .invalid(text) }
        var total: Int64 = 0
        var i = 0
        while i < chars.count {
            var number: Int64 = 0
            var digits = 0
            while i < chars.count, chars[i] >= UInt8(ascii: "0"), chars[i] <= UInt8(ascii: "9") {
                number = number * 10 + Int64(chars[i] - UInt8(ascii: "0"))
                digits += 1
                i += 1
                guard digits <= 9 else { throw .invalid(text) }
            }
            guard digits > 0 else { throw .invalid(text) }
            var unit = ""
            while i < chars.count, chars[i] >= UInt8(ascii: "a"), chars[i] <= UInt8(ascii: "z") {
                unit.append(Character(Unicode.Scalar(chars[i])))
                i += 1
            }
            let millis: Int64
            switch unit {
            case "ms": millis = 1
            case "s": millis = 1000
            case "m": millis = 60_000
            case "h": millis = 3_600_000
            case "d": millis = 86_400_000
            case "w": millis = 604_800_000
            default: throw .invalid(text)
            }
            // Checked arithmetic: the total is compared with the maximum, never allowed to wrap.
            let (group, groupOverflow) = number.multipliedReportingOverflow(by: millis)
            let (sum, sumOverflow) = total.addingReportingOverflow(group)
            guard !groupOverflow, !sumOverflow, sum <= maximumMilliseconds else { throw .tooLong(text) }
            total = sum
        }
        return .milliseconds(total)
    }
}
