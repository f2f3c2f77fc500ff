import TerminalUI

#if canImport(Glibc)
    import Glibc
#endif

/// `lanscope top --benchmark N`: N refreshes and redraws against a live lanscope without a terminal,
/// timed by phase (the figures `make bench-top` records). Each frame moves the selection one row, so
/// every redraw has something to change, as a key press would.
extension TopApp {
    public func benchmark(frames: Int, width: Int, height: Int) -> String {
        var fetch: [Double] = []
        var decode: [Double] = []
        var order: [Double] = []
        var extras: [Double] = []
        var redraw: [Double] = []
        var redrawBytes: [Double] = []
        size = (width, height)
        let cpuBefore = Self.cpuSeconds()
        let wallBefore = Self.monotonic()
        var fullRedraw = 0.0
        for frame in 0..<max(1, frames) {
            do {
                let t0 = Self.monotonic()
                let body = try client.get("/devices.json?view=summary")
                let t1 = Self.monotonic()
                let devices = try DeviceSummary.decodeList(body)
                let t2 = Self.monotonic()
                state.update(devices: devices, rates: tracker.update(devices, at: t2))
                let t3 = Self.monotonic()
                state.anomalies = try AnomalySummary.decodeList(client.get("/alerts.json?since=1h"))
                // As `refresh()` does: the capture's health from /metrics every `healthInterval`.
                if frame % Int(Self.healthInterval) == 0 {
                    state.health = CaptureHealth.parse(try client.get("/metrics"))
                }
                let t4 = Self.monotonic()
                fetch.append(t1 - t0)
                decode.append(t2 - t1)
                order.append(t3 - t2)
                extras.append(t4 - t3)
            } catch {
                return "benchmark: \(error)\n"
            }
            state.moveSelection(by: 1)
            let t5 = Self.monotonic()
            state.scrollToSelection(visible: TopLayout.tableRows(height: height))
            let screen = TopLayout.render(state, width: width, height: height, now: Self.wallClock())
            let bytes = ScreenDiff.bytes(from: lastScreen, to: screen)
            let t6 = Self.monotonic()
            if frame == 0 { fullRedraw = t6 - t5 } else { redraw.append(t6 - t5) }
            redrawBytes.append(Double(bytes.count))
            lastScreen = screen
        }
        let cpu = Self.cpuSeconds() - cpuBefore
        let wall = Self.monotonic() - wallBefore
        let n = Double(max(1, frames))
        func ms(_ values: [Double]) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "-" }
            let median = sorted[sorted.count / 2] * 1000
            let worst = sorted[sorted.count - 1] * 1000
            return "median \(Self.fixed(median, 2)) ms, max \(Self.fixed(worst, 2)) ms"
        }
        var out = "lanscope top --benchmark: \(state.devices.count) devices, \(frames) frames, \(width)×\(height)\n"
        out += "  GET /devices.json           \(ms(fetch))\n"
        out += "  decode /devices.json        \(ms(decode))\n"
        out += "  rates, filter, sort         \(ms(order))\n"
        out += "  alerts; /metrics every 5th   \(ms(extras))\n"
        out += "  redraw (layout + diff)      \(ms(redraw)), first full frame \(Self.fixed(fullRedraw * 1000, 2)) ms\n"
        out += "  bytes written per redraw    median \(Int(redrawBytes.sorted()[redrawBytes.count / 2]))\n"
        out += "  CPU per refresh             \(Self.fixed(cpu / n * 1000, 1)) ms "
        out +=
            "(\(Self.fixed(cpu / n * 100, 1)) % of a core at a 1 s refresh), wall \(Self.fixed(wall / n * 1000, 1)) ms\n"
        return out
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}
