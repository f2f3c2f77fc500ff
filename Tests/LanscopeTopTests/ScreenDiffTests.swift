import TerminalUI
import Testing

@Suite struct ScreenDiffTests {
    func screen(_ lines: [String], width: Int = 20) -> Screen {
        var s = Screen(width: width, height: lines.count)
        for (i, line) in lines.enumerated() { s.put(line, row: i, column: 0) }
        return s
    }

    @Test func screenDiff_drawsEverything_withoutPreviousScreen() {
        let s = screen(["hello", "world"])
        var terminal = VirtualTerminal(width: 20, height: 2)
        terminal.apply(ScreenDiff.bytes(from: nil, to: s))
        #expect(terminal.violations == [])
        #expect(terminal.text(row: 0) == s.text(row: 0))
        #expect(terminal.text(row: 1) == s.text(row: 1))
    }

    @Test func screenDiff_isEmpty_whenNothingChanged() {
        let s = screen(["hello", "world"])
        #expect(ScreenDiff.bytes(from: s, to: s).isEmpty)
    }

    @Test func screenDiff_writesOnlyTheChangedSpan_whenOneLineChanges() {
        let old = screen(["first line", "second line", "third line"])
        let new = screen(["first line", "second LINE", "third line"])
        let bytes = ScreenDiff.bytes(from: old, to: new)
        let text = String(decoding: bytes, as: UTF8.self)
        // Cursor to row 2, column 8 (1-based), then only the changed cells.
        #expect(text == "\u{1B}[2;8H\u{1B}[0mLINE")
        var terminal = VirtualTerminal(width: 20, height: 3)
        terminal.apply(ScreenDiff.bytes(from: nil, to: old))
        terminal.apply(bytes)
        #expect(terminal.violations == [])
        for row in 0..<3 { #expect(terminal.text(row: row) == new.text(row: row)) }
    }

    @Test func screenDiff_redrawsWhole_whenTheSizeChanges() {
        let old = screen(["abc"], width: 10)
        let new = screen(["abc"], width: 12)
        let text = String(decoding: ScreenDiff.bytes(from: old, to: new), as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}[0m\u{1B}[2J"))
    }

    @Test func screenDiff_changesStyle_withoutChangingText() {
        let old = screen(["abc"])
        var new = old
        new.put("b", row: 0, column: 1, style: CellStyle(reverse: true))
        let text = String(decoding: ScreenDiff.bytes(from: old, to: new), as: UTF8.self)
        #expect(text == "\u{1B}[1;2H\u{1B}[0;7mb\u{1B}[0m")
    }

    @Test func screenDiff_keepsWideCharactersWhole_whenTheirSecondHalfChanges() {
        var old = Screen(width: 6, height: 1)
        old.put("a漢b", row: 0, column: 0)
        var new = old
        new.put("c", row: 0, column: 2)  // over the second half of 漢: the whole character is replaced
        #expect(new.text(row: 0).hasPrefix("a c"))
        var terminal = VirtualTerminal(width: 6, height: 1)
        terminal.apply(ScreenDiff.bytes(from: nil, to: old))
        terminal.apply(ScreenDiff.bytes(from: old, to: new))
        #expect(terminal.violations == [])
        #expect(terminal.text(row: 0) == new.text(row: 0))
    }

    @Test func screen_put_truncatesWithEllipsis_whenTextIsWiderThanItsSpace() {
        var s = Screen(width: 10, height: 1)
        let used = s.put("abcdefghijkl", row: 0, column: 2, maxWidth: 5)
        #expect(used == 5)
        #expect(s.text(row: 0) == "  abcd…   ")
    }

    @Test func screen_put_clipsOutsideTheGrid() {
        var s = Screen(width: 4, height: 1)
        #expect(s.put("x", row: 3, column: 0) == 0)
        #expect(s.put("abcdef", row: 0, column: 2) == 2)
        #expect(s.text(row: 0) == "  a…")
    }
}
