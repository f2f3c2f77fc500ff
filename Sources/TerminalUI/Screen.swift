/// One grid cell: a character and its style. A wide character's second column is a continuation
/// cell, drawn by the character before it.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var style: CellStyle
    public var isContinuation: Bool

    public init(_ character: Character = " ", style: CellStyle = .plain, isContinuation: Bool = false) {
        self.character = character
        self.style = style
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// What the terminal should show: `height` lines of `width` cells. A value, built afresh for every
/// frame and compared with the previous one by `ScreenDiff`; every string written is sanitized first,
/// so nothing placed on a screen can move the cursor or change the terminal's state.
public struct Screen: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var lines: [[Cell]]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        lines = Array(repeating: Array(repeating: .blank, count: self.width), count: self.height)
    }

    /// Writes `text` (sanitized) at `row`, `column`, within `maxWidth` columns (default: to the line's
    /// end), cut with `…` when longer. Returns the columns written; writes outside the grid are clipped.
    @discardableResult
    public mutating func put(
        _ text: String, row: Int, column: Int, style: CellStyle = .plain, maxWidth: Int? = nil
    ) -> Int {
        guard row >= 0, row < height, column >= 0, column < width else { return 0 }
        let limit = min(maxWidth ?? (width - column), width - column)
        let visible = DisplayText.truncate(DisplayText.sanitize(text), to: limit)
        var x = column
        for c in visible {
            let w = DisplayText.columns(c)
            guard x + w <= column + limit else { break }
            // Overwriting half of a wide character leaves its other half blank.
            clearWide(row: row, at: x)
            if w == 2 { clearWide(row: row, at: x + 1) }
            lines[row][x] = Cell(c, style: style)
            if w == 2 { lines[row][x + 1] = Cell(" ", style: style, isContinuation: true) }
            x += w
        }
        return x - column
    }

    /// Paints `row` (all of it, or `columns` from `column`) blank in `style`, e.g. a header bar.
    public mutating func fill(row: Int, from column: Int = 0, columns: Int? = nil, style: CellStyle) {
        guard row >= 0, row < height else { return }
        let end = min(width, column + (columns ?? width))
        guard column < end else { return }
        for x in max(0, column)..<end { lines[row][x] = Cell(" ", style: style) }
    }

    /// The characters of `row`, for tests and logs.
    public func text(row: Int) -> String {
        guard row >= 0, row < height else { return "" }
        return String(lines[row].filter { !$0.isContinuation }.map(\.character))
    }

    private mutating func clearWide(row: Int, at x: Int) {
        guard x < width else { return }
        if lines[row][x].isContinuation, x > 0 { lines[row][x - 1] = .blank }
        if x + 1 < width, lines[row][x + 1].isContinuation { lines[row][x + 1] = .blank }
    }
}
