import TerminalUI
import Testing

@Suite struct KeyDecoderTests {
    func keys(_ text: String) -> [Key] {
        var d = KeyDecoder()
        return d.decode(Array(text.utf8)) + d.flush()
    }

    @Test func keyDecoder_decodesArrows_inNormalAndApplicationMode() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OA\u{1B}OB\u{1B}OH\u{1B}OF") == [.up, .down, .home, .end])
    }

    @Test func keyDecoder_decodesEditingKeys_withTildeParameters() {
        #expect(keys("\u{1B}[5~\u{1B}[6~\u{1B}[1~\u{1B}[4~\u{1B}[3~") == [.pageUp, .pageDown, .home, .end, .delete])
    }

    @Test func keyDecoder_ignoresModifiers_onArrows() {
        #expect(keys("\u{1B}[1;5A") == [.up])
    }

    @Test func keyDecoder_decodesPlainKeys() {
        #expect(keys("q/\r\n\u{7F}\t") == [.character("q"), .character("/"), .enter, .enter, .backspace, .tab])
        #expect(keys("\u{03}") == [.control("c")])
    }

    @Test func keyDecoder_holdsALoneEscape_untilFlushed() {
        var d = KeyDecoder()
        #expect(d.decode([0x1B]) == [])
        #expect(d.hasPendingInput)
        #expect(d.flush() == [.escape])
        #expect(!d.hasPendingInput)
    }

    @Test func keyDecoder_completesASequence_splitAcrossReads() {
        var d = KeyDecoder()
        #expect(d.decode([0x1B]) == [])
        #expect(d.decode(Array("[".utf8)) == [])
        #expect(d.decode(Array("B".utf8)) == [.down])
        #expect(!d.hasPendingInput)
    }

    @Test func keyDecoder_treatsEscapeThenLetter_asTwoKeys() {
        #expect(keys("\u{1B}q") == [.escape, .character("q")])
        #expect(keys("\u{1B}\u{1B}[A") == [.escape, .up])
    }

    @Test func keyDecoder_decodesUTF8_splitAcrossReads() {
        var d = KeyDecoder()
        let bytes = Array("é".utf8)
        #expect(d.decode(bytes[0..<1]) == [])
        #expect(d.decode(bytes[1...]) == [.character("é")])
    }

    @Test func keyDecoder_dropsUnknownSequences_andC1Controls() {
        #expect(keys("\u{1B}[200~x") == [.character("x")])
        #expect(keys("\u{1B}[?1;2cy") == [.character("y")])
        #expect(keys("\u{9B}z") == [.character("z")])
    }

    @Test func keyDecoder_boundsItsBuffer_onAnEndlessSequence() {
        var d = KeyDecoder()
        _ = d.decode([0x1B, UInt8(ascii: "[")] + Array(repeating: UInt8(ascii: "1"), count: 100))
        #expect(!d.hasPendingInput)
    }
}
