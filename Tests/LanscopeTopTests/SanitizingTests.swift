import LanscopeTop
import TerminalUI
import Testing

@Suite struct SanitizingTests {
    static let hostile = "esc\u{1B}[31mred\u{1B}[0m\u{1B}]0;title\u{07}\u{9B}2J\u{202E}txt.exe\nline\r\u{7F}"

    @Test func displayText_sanitize_leavesNoControlCharacters() {
        let clean = DisplayText.sanitize(Self.hostile)
        for scalar in clean.unicodeScalars {
            #expect(scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value))
            #expect(!(0x202A...0x202E).contains(scalar.value))
        }
        #expect(clean.hasPrefix("esc\\x1b[31mred"))
        #expect(clean.contains("\\u{202e}"))
    }

    @Test func displayText_sanitize_keepsOrdinaryText() {
        #expect(DisplayText.sanitize("Alice's MacBook — café 漢字") == "Alice's MacBook — café 漢字")
    }

    @Test func displayText_width_countsWideCharactersAsTwoColumns() {
        #expect(DisplayText.width("ab") == 2)
        #expect(DisplayText.width("漢字") == 4)
        #expect(DisplayText.truncate("漢字漢字", to: 5) == "漢字…")
        #expect(DisplayText.fit("ab", to: 4, alignRight: true) == "  ab")
    }

    @Test func screen_put_neverStoresAControlCharacter_fromHostileText() {
        var s = Screen(width: 200, height: 1)
        s.put(Self.hostile, row: 0, column: 0)
        for cell in s.lines[0] {
            for scalar in cell.character.unicodeScalars {
                #expect(scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value))
            }
        }
    }

    /// The whole path: a device with a hostile hostname, vendor and type drawn by the view, the bytes
    /// sent to the terminal hold only the renderer's own sequences and the text shows literally.
    @Test func topLayout_hostileDeviceStrings_cannotProduceAnEscapeSequence() {
        var state = TopState(server: "http://127.0.0.1:9184")
        let device = DeviceSummary(
            mac: "02:00:00:00:00:05", vendor: Self.hostile, hostname: Self.hostile, ip: "10.9.0.5\u{1B}[2J",
            type: "x\u{1B}[1;1H")
        state.update(devices: [device], rates: [:])
        state.anomalies = [
            AnomalySummary(time: 0, severity: "warning", kind: "new_device", mac: device.mac, summary: Self.hostile)
        ]
        let screen = TopLayout.render(state, width: 160, height: 30, now: 10)
        var terminal = VirtualTerminal(width: 160, height: 30)
        terminal.apply(ScreenDiff.bytes(from: nil, to: screen))
        #expect(terminal.violations == [])
        let row = (0..<30).map { terminal.text(row: $0) }.first { $0.hasPrefix("02:00:00:00:00:05") }
        #expect(row?.contains("esc\\x1b[31mred") == true)
        // The device's row is one line: the newline in the hostname did not start another.
        #expect(!(0..<30).contains { terminal.text(row: $0).hasPrefix("line") })
    }
}
