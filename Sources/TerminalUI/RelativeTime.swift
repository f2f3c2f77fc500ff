/// How long ago something happened, the way people read it in a table: `just now`, `45 s ago`,
/// `3 min ago`, `2 h ago`, `5 d ago`, or `in 3 min` for a time in the future. One wording for every
/// terminal view (`lanscope list`, `device`, `top`).
public enum RelativeTime {
    /// `seconds` is how long ago: positive in the past, negative in the future.
    public static func text(secondsAgo seconds: Int64) -> String {
        let magnitude = seconds.magnitude
        let text: String
        switch magnitude {
        case ..<5: return "just now"
        case ..<60: text = "\(magnitude) s"
        case ..<3_600: text = "\(magnitude / 60) min"
        case ..<172_800: text = "\(magnitude / 3_600) h"
        default: text = "\(magnitude / 86_400) d"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }
}
