import TerminalUI

/// A device's detail: identity and the classifier's evidence, addresses, stored evidence and recent
/// events, as lines scrolled by `detailScroll` between the status line and the anomalies strip.
enum DetailLayout {
    struct Line {
        var text: String
        var style: CellStyle = .plain
    }

    static func render(_ state: TopState, mac: String, into screen: inout Screen, now: Double) {
        let area = TopLayout.tableRows(height: screen.height) + 1
        let top = 2
        guard let detail = state.detail else {
            screen.put("device \(mac): loading…", row: top, column: 0, style: CellStyle(dim: true))
            return
        }
        let all = lines(detail, now: now)
        let first = min(state.detailScroll, max(0, all.count - area))
        for (i, line) in all.dropFirst(first).prefix(area).enumerated() {
            screen.put(line.text, row: top + i, column: 0, style: line.style)
        }
    }

    static func lines(_ d: DeviceDetail, now: Double) -> [Line] {
        let heading = CellStyle(bold: true, underline: true)
        var out: [Line] = [Line(text: "identity", style: heading)]
        let nameWidth = d.identity.map { DisplayText.width(DisplayText.sanitize($0.name)) }.max() ?? 0
        for f in d.identity {
            out.append(Line(text: "  \(DisplayText.fit(DisplayText.sanitize(f.name), to: nameWidth))  \(f.value)"))
        }
        let online = d.summary.online ? "online" : "offline"
        out.append(
            Line(
                text:
                    "  \(DisplayText.fit("seen", to: nameWidth))  \(online), last \(Format.relative(d.summary.lastSeen, now: now))"
                    + ", sent \(Format.bytes(Double(d.summary.transmittedBytes)))"
                    + ", received \(Format.bytes(Double(d.summary.receivedBytes)))"))
        if !d.reasons.isEmpty {
            out.append(Line(text: "classification evidence", style: heading))
            out += d.reasons.map { Line(text: "  \($0)") }
        }
        out.append(Line(text: "addresses", style: heading))
        if d.addresses.isEmpty { out.append(Line(text: "  none", style: CellStyle(dim: true))) }
        for a in d.addresses {
            out.append(
                Line(
                    text:
                        "  \(DisplayText.fit(DisplayText.sanitize(a.ip), to: 40)) \(DisplayText.fit(a.source, to: 8)) "
                        + "last \(Format.relative(a.lastSeen, now: now)), first \(Format.relative(a.firstSeen, now: now))"
                ))
        }
        out.append(Line(text: "evidence", style: heading))
        if d.evidence.isEmpty { out.append(Line(text: "  none stored", style: CellStyle(dim: true))) }
        for e in d.evidence.prefix(200) {
            out.append(
                Line(
                    text:
                        "  \(e.kind) via \(e.source): \(e.value)  ×\(e.count), \(Format.relative(e.lastSeen, now: now))"
                ))
        }
        out.append(Line(text: "recent events", style: heading))
        if d.events.isEmpty { out.append(Line(text: "  none", style: CellStyle(dim: true))) }
        for e in d.events {
            out.append(Line(text: "  \(Format.relative(e.time, now: now))  \(e.severity)  \(e.kind)  \(e.summary)"))
        }
        return out
    }
}
