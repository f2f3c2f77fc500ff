/// The bytes that bring a terminal from one screen to the next: only lines that changed are written,
/// and within a line only the span from its first to its last changed cell.
public enum ScreenDiff {
    /// Output that turns a terminal showing `old` into one showing `new`. Without `old`, or when the
    /// size changed, the screen is cleared and drawn whole. Empty when nothing changed.
    public static func bytes(from old: Screen?, to new: Screen) -> [UInt8] {
        var out: [UInt8] = []
        let full = old == nil || old?.width != new.width || old?.height != new.height
        if full { out.append(contentsOf: Array("\u{1B}[0m\u{1B}[2J".utf8)) }
        var style: CellStyle? = nil
        for row in 0..<new.height {
            let line = new.lines[row]
            var first = 0
            var last = new.width - 1
            if !full, let old {
                let previous = old.lines[row]
                if previous == line { continue }
                while first < new.width, previous[first] == line[first] { first += 1 }
                while last > first, previous[last] == line[last] { last -= 1 }
            }
            guard first <= last else { continue }
            // Never start on the second half of a wide character, nor stop before it.
            while first > 0, line[first].isContinuation { first -= 1 }
            while last + 1 < new.width, line[last + 1].isContinuation { last += 1 }
            moveCursor(row: row, column: first, into: &out)
            for x in first...last {
                let cell = line[x]
                if cell.isContinuation { continue }
                if style != cell.style {
                    cell.style.sgr(into: &out)
                    style = cell.style
                }
                out.append(contentsOf: cell.character.utf8)
            }
        }
        if style != nil, style != .plain { out.append(contentsOf: Array("\u{1B}[0m".utf8)) }
        return out
    }

    /// CUP (ECMA-48 §8.3.21), 1-based.
    static func moveCursor(row: Int, column: Int, into out: inout [UInt8]) {
        out.append(contentsOf: Array("\u{1B}[\(row + 1);\(column + 1)H".utf8))
    }
}
