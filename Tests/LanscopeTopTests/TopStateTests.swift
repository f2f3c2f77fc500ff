import LanscopeTop
import TerminalUI
import Testing

@Suite struct TopStateTests {
    func state() -> TopState {
        var s = TopState(server: "http://127.0.0.1:9184")
        s.update(
            devices: [
                DeviceSummary(mac: "aa:00:00:00:00:01", hostname: "laptop", transmittedBytes: 5),
                DeviceSummary(mac: "aa:00:00:00:00:02", hostname: "printer", transmittedBytes: 50),
                DeviceSummary(mac: "aa:00:00:00:00:03", hostname: "speaker", transmittedBytes: 500),
            ], rates: [:])
        return s
    }

    @Test func handle_sortKeys_reorderTheTable() {
        var s = state()
        #expect(s.rows.map(\.hostname) == ["speaker", "printer", "laptop"])
        #expect(s.handle(.character("n")) == .none)
        #expect(s.sortKey == .name)
        #expect(s.rows.map(\.hostname) == ["laptop", "printer", "speaker"])
    }

    @Test func handle_slash_editsAFilterThatNarrowsAsTyped() {
        var s = state()
        _ = s.handle(.character("/"))
        #expect(s.editingFilter)
        for c in "pri" { _ = s.handle(.character(c)) }
        #expect(s.rows.map(\.hostname) == ["printer"])
        _ = s.handle(.enter)
        #expect(!s.editingFilter)
        #expect(s.filter == "pri")
        // q while not editing quits; while editing it would have been part of the filter.
        _ = s.handle(.escape)
        #expect(s.filter == "")
        #expect(s.rows.count == 3)
    }

    @Test func handle_qInsideTheFilter_isText() {
        var s = state()
        _ = s.handle(.character("/"))
        #expect(s.handle(.character("q")) == .none)
        #expect(s.filter == "q")
        _ = s.handle(.backspace)
        #expect(s.filter == "")
    }

    @Test func handle_enter_opensTheSelectedDevice_andEscapeGoesBack() {
        var s = state()
        _ = s.handle(.down)
        #expect(s.handle(.enter) == .openDetail(mac: "aa:00:00:00:00:02"))
        #expect(s.mode == .detail(mac: "aa:00:00:00:00:02"))
        #expect(s.handle(.escape) == .none)
        #expect(s.mode == .list)
        #expect(s.handle(.character("q")) == .quit)
    }

    @Test func handle_ctrlC_quitsFromAnywhere() {
        var s = state()
        _ = s.handle(.character("/"))
        #expect(s.handle(.control("c")) == .quit)
    }

    @Test func update_keepsTheSelectedDevice_whenARefreshReordersTheTable() {
        var s = state()
        _ = s.handle(.down)
        #expect(s.selectedDevice?.hostname == "printer")
        s.update(
            devices: [
                DeviceSummary(mac: "aa:00:00:00:00:01", hostname: "laptop", transmittedBytes: 5_000),
                DeviceSummary(mac: "aa:00:00:00:00:02", hostname: "printer", transmittedBytes: 50),
            ], rates: [:])
        #expect(s.selectedDevice?.hostname == "printer")
        #expect(s.selected == 1)
    }

    @Test func moveSelection_staysInsideTheTable() {
        var s = state()
        _ = s.handle(.up)
        #expect(s.selected == 0)
        _ = s.handle(.end)
        #expect(s.selected == 2)
        _ = s.handle(.pageDown, pageRows: 10)
        #expect(s.selected == 2)
    }

    @Test func topLayout_showsRowsHelpAndSelection() {
        var s = state()
        s.update(devices: s.devices, rates: ["aa:00:00:00:00:03": TrafficRate(transmitted: 1_500, received: 0)])
        let screen = TopLayout.render(s, width: 120, height: 20, now: 0)
        #expect(screen.text(row: 0).hasPrefix("lanscope top  http://127.0.0.1:9184  3 devices"))
        #expect(screen.text(row: 2).hasPrefix("MAC"))
        #expect(screen.text(row: 3).hasPrefix("aa:00:00:00:00:03"))
        #expect(screen.text(row: 3).contains("1.5 kB"))
        #expect(screen.lines[3][0].style.reverse)
        #expect(screen.text(row: 19).contains("t traffic"))
    }
}
