import TerminalUI

#if canImport(Glibc)
    import Glibc
#endif

/// `lanscope top`: the loop that polls the API, reads keys and redraws. Everything it decides is in
/// `TopState` (keys), `RateTracker` (rates) and `TopLayout` (drawing); this file only does the I/O.
public final class TopApp {
    public struct Options: Sendable {
        public var address: ServerAddress
        public var credentials: BasicCredentials?
        /// Seconds between refreshes (default 1).
        public var interval: Double = 1
        /// Certificates for an https address (default: the system's trust store, no client certificate).
        public var tls = TLSClientOptions()

        public init(
            address: ServerAddress, credentials: BasicCredentials?, interval: Double = 1,
            tls: TLSClientOptions = TLSClientOptions()
        ) {
            self.address = address
            self.credentials = credentials
            self.interval = interval
            self.tls = tls
        }
    }

    let options: Options
    let client: APIClient
    var state: TopState
    var tracker = RateTracker()
    var decoder = KeyDecoder()
    var lastScreen: Screen? = nil
    var size = (columns: 80, rows: 24)
    /// When `/metrics` was last read for the capture's health (monotonic seconds).
    var lastHealth = -Double.infinity
    /// Seconds between reads of the capture's health (default 5).
    static let healthInterval = 5.0

    public init(options: Options) {
        self.options = options
        client = APIClient(address: options.address, credentials: options.credentials, tls: options.tls)
        state = TopState(server: options.address.description)
    }

    /// Why `top` cannot run here, or nil: it draws a full screen, so both ends must be a terminal.
    public static func refusal(outputIsTerminal: Bool, inputIsTerminal: Bool) -> String? {
        if !outputIsTerminal {
            return "standard output is not a terminal: `lanscope top` is interactive; "
                + "for scripts read the API (e.g. curl URL/devices.json)"
        }
        if !inputIsTerminal { return "standard input is not a terminal: `lanscope top` reads keys from it" }
        return nil
    }

    /// Runs until the user quits or SIGINT/SIGTERM/SIGHUP arrives; the terminal is restored on return.
    public func run() throws(TerminalError) {
        let session = try TerminalSession()
        let signals = try SignalPipe(signals: [SIGINT, SIGTERM, SIGHUP, SIGWINCH])
        signal(SIGPIPE, SIG_IGN)
        try session.enter()
        defer { session.restore() }
        size = session.size() ?? size
        var nextRefresh = Self.monotonic()
        var input = [UInt8](repeating: 0, count: 4096)
        loop: while true {
            if Self.monotonic() >= nextRefresh {
                refresh()
                nextRefresh = max(nextRefresh + options.interval, Self.monotonic() + options.interval / 10)
            }
            draw(session)
            let wait = decoder.hasPendingInput ? 0.03 : max(0, nextRefresh - Self.monotonic())
            var fds = [
                pollfd(fd: session.input, events: Int16(POLLIN), revents: 0),
                pollfd(fd: signals.fileDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, Int32((wait * 1000).rounded(.up)))
            if ready < 0 && errno != EINTR { break }
            if fds[1].revents != 0 {
                for s in signals.drain() {
                    if s == SIGWINCH { size = session.size() ?? size } else { break loop }
                }
            }
            var keys: [Key] = []
            if fds[0].revents & Int16(POLLIN) != 0 {
                let n = read(session.input, &input, input.count)
                // End of input (the terminal went away): nothing more can be asked of us.
                if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { break }
                if n > 0 { keys = decoder.decode(input[0..<n]) }
            } else if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 {
                break
            } else if ready == 0, decoder.hasPendingInput {
                keys = decoder.flush()
            }
            for key in keys {
                switch state.handle(key, pageRows: TopLayout.tableRows(height: size.rows)) {
                case .quit: break loop
                case .openDetail(let mac):
                    draw(session)
                    refreshDetail(mac)
                case .none: break
                }
            }
        }
    }

    /// One poll of the API: devices (and rates), recent anomalies, capture health, the open detail.
    func refresh() {
        do {
            let devices = try DeviceSummary.decodeList(client.get("/devices.json?view=summary"))
            let rates = tracker.update(devices, at: Self.monotonic())
            state.update(devices: devices, rates: rates)
            state.updated = Self.wallClock()
            state.anomalies = try AnomalySummary.decodeList(client.get("/alerts.json?since=1h"))
            // A 10,000-device exposition is ~7 MB for a few capture lines: read it every 5 s, not every poll.
            let now = Self.monotonic()
            if state.health == nil || now - lastHealth >= Self.healthInterval {
                state.health = CaptureHealth.parse(try client.get("/metrics"))
                lastHealth = now
            }
            state.error = nil
        } catch {
            state.error = error.description
        }
        if case .detail(let mac) = state.mode { refreshDetail(mac) }
    }

    func refreshDetail(_ mac: String) {
        do {
            state.detail = try DeviceDetail.decode(client.get("/devices/\(mac).json"))
        } catch {
            state.error = error.description
        }
    }

    func draw(_ session: TerminalSession) {
        state.scrollToSelection(visible: TopLayout.tableRows(height: size.rows))
        let screen = TopLayout.render(state, width: size.columns, height: size.rows, now: Self.wallClock())
        let bytes = ScreenDiff.bytes(from: lastScreen, to: screen)
        if !bytes.isEmpty { session.write(bytes) }
        lastScreen = screen
    }

    static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func wallClock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
