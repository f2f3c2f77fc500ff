import TerminalUI

/// Numbers and times as the view shows them.
enum Format {
    /// Bytes (or bytes per second) in decimal units: `0 B`, `512 B`, `1.5 kB`, `23 MB`, `4.1 GB`.
    static func bytes(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "-" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var v = value
        var unit = 0
        while v >= 1000, unit < units.count - 1 {
            v /= 1000
            unit += 1
        }
        if unit == 0 { return "\(Int(v.rounded())) B" }
        if v < 9.95 { return "\(Int(v.rounded(.down)))." + "\(Int((v * 10).rounded()) % 10) \(units[unit])" }
        return "\(Int(v.rounded())) \(units[unit])"
    }

    /// How long ago `time` was: `just now`, `45 s ago`, `3 min ago`, `2 h ago`, `5 d ago`, `in 3 min`.
    static func relative(_ time: Double?, now: Double) -> String {
        guard let time else { return "-" }
        return RelativeTime.text(secondsAgo: Int64((now - time).rounded(.down)))
    }
}
