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
    static func width(_ s: String) -> Int {
        // ASCII (nearly every cell): one byte per scalar, no decoding.
        s.utf8.allSatisfy { $0 < 0x80 } ? s.utf8.count : s.unicodeScalars.count
    }

    /// Renders rows as aligned columns separated by two spaces; cells are sanitized and cut to `maxWidth`.
    public static func table(header: [String], rows: [[String]], maxWidth: Int = 40) -> String {
        // Each cell's width is measured once; the lines are assembled as bytes (a device table of
        // thousands of rows is printed at the end of every replay).
        func cell(_ s: String) -> (text: String, width: Int) {
            let clean = sanitize(s)
            let columns = width(clean)
            guard columns > maxWidth else { return (clean, columns) }
            return (String(clean.unicodeScalars.prefix(maxWidth - 1).map(Character.init)) + "…", maxWidth)
        }
        let all = [header.map(cell)] + rows.map { $0.map(cell) }
        var widths = [Int](repeating: 0, count: header.count)
        var bytes = 0
        for row in all {
            for (i, c) in row.enumerated() {
                if i < widths.count { widths[i] = max(widths[i], c.width) }
                bytes += c.text.utf8.count
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes + all.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for row in all {
            for (i, c) in row.enumerated() {
                out.append(contentsOf: c.text.utf8)
                guard i < row.count - 1 else { continue }
                let pad = (i < widths.count ? widths[i] : c.width) - c.width + 2
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pad))
            }
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
