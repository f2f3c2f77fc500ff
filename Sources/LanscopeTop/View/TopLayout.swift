import TerminalUI

/// Draws a `TopState` onto a `Screen`: title, capture health, the device table or a device's detail,
/// the recent anomalies and the key help. Pure: the same state, size and time give the same screen.
public enum TopLayout {
    /// Lines above the table (title, health, column header) and below it (anomalies title, 3 events,
    /// help).
    static let headerLines = 3
    static let anomalyLines = 3
    static let footerLines = anomalyLines + 2

    /// Rows of devices a screen of `height` lines shows.
    public static func tableRows(height: Int) -> Int { max(0, height - headerLines - footerLines) }

    public static func render(_ state: TopState, width: Int, height: Int, now: Double) -> Screen {
        var screen = Screen(width: width, height: height)
        guard width >= 20, height >= 8 else {
            screen.put("terminal too small", row: 0, column: 0)
            return screen
        }
        title(state, into: &screen, now: now)
        status(state, into: &screen)
        switch state.mode {
        case .list: table(state, into: &screen, now: now)
        case .detail(let mac): DetailLayout.render(state, mac: mac, into: &screen, now: now)
        }
        anomalies(state, into: &screen, now: now)
        help(state, into: &screen)
        return screen
    }

    static let bar = CellStyle(reverse: true)
    static let heading = CellStyle(bold: true, underline: true)

    static func title(_ state: TopState, into screen: inout Screen, now: Double) {
        screen.fill(row: 0, style: bar)
        let online = state.devices.reduce(0) { $0 + ($1.online ? 1 : 0) }
        var text = "lanscope top  \(state.server)  \(state.devices.count) devices, \(online) online"
        if state.rows.count != state.devices.count { text += ", \(state.rows.count) shown" }
        text += "  sort: \(state.sortKey.rawValue)"
        if !state.filter.isEmpty { text += "  filter: \(state.filter)" }
        screen.put(text, row: 0, column: 0, style: bar)
        let updated = state.updated.map { "updated \(Format.relative($0, now: now))" } ?? "connecting…"
        let x = screen.width - DisplayText.width(updated) - 1
        if x > DisplayText.width(DisplayText.sanitize(text)) + 2 { screen.put(updated, row: 0, column: x, style: bar) }
    }

    static func status(_ state: TopState, into screen: inout Screen) {
        if let error = state.error {
            screen.put("⚠ \(error) — retrying", row: 1, column: 0, style: CellStyle(bold: true, foreground: .red))
            return
        }
        guard let h = state.health else {
            screen.put("capture: …", row: 1, column: 0, style: CellStyle(dim: true))
            return
        }
        var text = "capture: \(h.backend ?? "?") \(h.mode ?? "?")"
        if let interface = h.interface, !interface.isEmpty { text += " on \(interface)" }
        text += h.up == true ? ", up" : h.up == false ? ", DOWN" : ""
        text += "  dropped: \(Format.count(h.totalDropped))"
        let reasons = h.dropped.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !reasons.isEmpty {
            text += " (" + reasons.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ") + ")"
        }
        let warn = h.up == false || h.totalDropped > 0
        screen.put(text, row: 1, column: 0, style: warn ? CellStyle(foreground: .yellow) : .plain)
    }

    /// Column widths for `width`: fixed columns, then hostname and vendor share what is left.
    struct Columns {
        var mac = 17, ip = 15, type = 10, tx = 8, rx = 8, seen = 10
        var hostname = 0, vendor = 0

        init(width: Int) {
            let fixed = mac + ip + type + tx + rx + seen + 7
            let rest = max(0, width - fixed)
            if rest < 24 {
                hostname = rest
                vendor = 0
            } else {
                hostname = rest * 11 / 20
                vendor = rest - hostname
            }
        }
    }

    static func table(_ state: TopState, into screen: inout Screen, now: Double) {
        let c = Columns(width: screen.width)
        var header = [
            DisplayText.fit("MAC", to: c.mac), DisplayText.fit("IP", to: c.ip),
            DisplayText.fit("HOSTNAME", to: c.hostname),
        ]
        if c.vendor > 0 { header.append(DisplayText.fit("VENDOR", to: c.vendor)) }
        header += [
            DisplayText.fit("TYPE", to: c.type), DisplayText.fit("TX/s", to: c.tx, alignRight: true),
            DisplayText.fit("RX/s", to: c.rx, alignRight: true), DisplayText.fit("LAST SEEN", to: c.seen),
        ]
        screen.put(header.joined(separator: " "), row: 2, column: 0, style: CellStyle(bold: true))
        let visible = tableRows(height: screen.height)
        guard !state.rows.isEmpty else {
            let why = state.devices.isEmpty ? "no devices yet" : "no device matches \"\(state.filter)\""
            screen.put(why, row: headerLines, column: 0, style: CellStyle(dim: true))
            return
        }
        let first = min(state.scroll, max(0, state.rows.count - 1))
        for (i, d) in state.rows[first..<min(state.rows.count, first + visible)].enumerated() {
            let row = headerLines + i
            let isSelected = first + i == state.selected
            let style = isSelected ? CellStyle(reverse: true) : (d.online ? .plain : CellStyle(dim: true))
            if isSelected { screen.fill(row: row, style: style) }
            let rate = state.rates[d.mac]
            var x = 0
            func cell(_ text: String, _ width: Int, right: Bool = false) {
                guard width > 0 else { return }
                // Sanitize before measuring so padding is computed on what is drawn.
                screen.put(
                    DisplayText.fit(DisplayText.sanitize(text), to: width, alignRight: right), row: row, column: x,
                    style: style, maxWidth: width)
                x += width + 1
            }
            cell(d.mac, c.mac)
            cell(d.ip ?? "-", c.ip)
            cell(d.hostname ?? "-", c.hostname)
            if c.vendor > 0 { cell(d.vendor ?? "-", c.vendor) }
            cell(d.type, c.type)
            cell(rate.map { Format.bytes($0.transmitted) } ?? "-", c.tx, right: true)
            cell(rate.map { Format.bytes($0.received) } ?? "-", c.rx, right: true)
            cell(Format.relative(d.lastSeen, now: now), c.seen)
        }
    }

    static func anomalies(_ state: TopState, into screen: inout Screen, now: Double) {
        let top = screen.height - footerLines
        screen.put("recent anomalies", row: top, column: 0, style: heading)
        guard !state.anomalies.isEmpty else {
            screen.put("none", row: top + 1, column: 0, style: CellStyle(dim: true))
            return
        }
        for (i, e) in state.anomalies.prefix(anomalyLines).enumerated() {
            let color: CellStyle.Color? =
                switch e.severity {
                case "critical": .red
                case "warning": .yellow
                default: nil
                }
            let text =
                "\(DisplayText.fit(Format.relative(e.time, now: now), to: 10)) \(DisplayText.fit(e.severity, to: 8)) "
                + "\(e.kind)  \(e.mac ?? "")  \(e.summary)"
            screen.put(text, row: top + 1 + i, column: 0, style: CellStyle(foreground: color))
        }
    }

    static func help(_ state: TopState, into screen: inout Screen) {
        let row = screen.height - 1
        screen.fill(row: row, style: bar)
        let text: String
        if state.editingFilter {
            text = "filter: \(state.filter)▏  Enter keep  Esc clear  (matches MAC, IP, hostname, vendor, type)"
        } else if case .detail = state.mode {
            text = "↑↓ scroll  PgUp/PgDn page  Esc/q back  Ctrl-C quit"
        } else {
            let sorts = SortKey.allCases.map { "\($0.key) \($0.rawValue)" }.joined(separator: "  ")
            text = "↑↓ select  Enter detail  / filter  \(sorts)  s next sort  q quit"
        }
        screen.put(text, row: row, column: 0, style: bar)
    }
}

extension Format {
    /// A count without a fraction: `12`, `3400`.
    static func count(_ value: Double) -> String {
        value.isFinite && value >= 0 && value < 1e18 ? String(UInt64(value)) : String(value)
    }
}
