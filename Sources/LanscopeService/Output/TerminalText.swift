import LanscopeCore
import TerminalUI

/// Text for humans on a terminal: control characters (including ESC, so no escape sequence from a
/// hostile hostname reaches the terminal), DEL, C1 controls, bidi overrides and invisible format
/// characters become visible `\xNN` / `\u{...}` (`TerminalUI.DisplayText.sanitize`, shared with `top`).
public enum TerminalText {
    public static func sanitize(_ s: String) -> String { DisplayText.sanitize(s) }

    /// How long ago `time` was, relative to `now`, the way people read it: `just now`, `45 s ago`,
    /// `3 min ago`, `2 h ago`, `5 d ago` (or `in 3 min` for a time after `now`).
    public static func relative(_ time: Timestamp, now: Timestamp) -> String {
        RelativeTime.text(secondsAgo: (now - time).components.seconds)
    }

    /// Display width, counting each scalar as one column (good enough for alignment of sanitized text).
    static func width(_ s: String) -> Int { s.unicodeScalars.count }

    /// Renders rows as aligned columns separated by two spaces; cells are sanitized and cut to `maxWidth`.
    public static func table(header: [String], rows: [[String]], maxWidth: Int = 40) -> String {
        func cell(_ s: String) -> String {
            let clean = sanitize(s)
            guard width(clean) > maxWidth else { return clean }
            return String(clean.unicodeScalars.prefix(maxWidth - 1).map(Character.init)) + "…"
        }
        let all = [header.map(cell)] + rows.map { $0.map(cell) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(c)) }
        }
        var out = ""
        for row in all {
            var line = ""
            for (i, c) in row.enumerated() {
                line += c
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - width(c) + 2) }
            }
            out += line + "\n"
        }
        return out
    }
}
