import Foundation
import LanscopeTop
import TestSupport
import Testing

/// `lanscope top` in a real terminal: tmux runs it against a live `lanscope run` replaying a capture,
/// keys go in with `send-keys`, the screen comes back with `capture-pane`.
@Suite(.serialized, .needsTmux) struct TopTmuxTests {
    static let samplePcap = LanscopeBinary.packageRoot + "/deploy/samples/lan.pcap"
    static let hostilePcap = LanscopeBinary.packageRoot + "/Tests/LanscopeServiceTests/Fixtures/hostile.pcap"

    /// MACs of the device rows on screen, top to bottom.
    static func deviceRows(_ lines: [String]) -> [String] {
        lines.compactMap { line in
            let mac = String(line.prefix(17))
            return mac.count == 17 && mac.split(separator: ":").count == 6
                && mac.allSatisfy({ $0 == ":" || $0.isHexDigit }) ? mac : nil
        }
    }

    func start(
        _ pcap: String, interval: String = "0.5", certificates: TestCertificates? = nil
    ) throws -> (LiveLanscope, [DeviceSummary], Tmux) {
        let binary = try #require(LanscopeBinary.path, "the lanscope executable is built beside the tests")
        let tmuxPath = try #require(TestEnvironment.tool("tmux"), "tmux is installed (Debian tmux)")
        let server = try LiveLanscope(
            binary: binary, pcap: pcap, webConfig: try certificates?.webConfig(),
            tls: certificates.map { TLSClientOptions(caFile: $0.caCertificate) })
        let devices = try server.waitUntilSettled()
        let tmux = Tmux(tmux: tmuxPath)
        let trust = certificates.map { " --ca-file '\($0.caCertificate)'" } ?? ""
        // After top: its exit status and the terminal's settings, then stay so the pane can be read.
        try tmux.start(
            "'\(binary)' top --url \(server.url)\(trust) --interval \(interval); echo top-exit=$?; stty -a; sleep 120")
        return (server, devices, tmux)
    }

    /// The same view from a sensor serving https (its web config's `tls_server_config`), trusted through
    /// --ca-file.
    @Test(.enabled(if: TestCertificates.opensslPath != nil, "needs the openssl CLI (apt-get install openssl)"))
    func top_showsTheDevices_ofASensorServingHTTPS() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let (server, devices, tmux) = try start(Self.samplePcap, certificates: certificates)
        defer {
            tmux.kill()
            server.stop()
        }
        #expect(server.url.hasPrefix("https://"))
        let screen = try tmux.waitFor { Self.deviceRows($0).count == devices.count }
        #expect(Set(Self.deviceRows(screen)) == Set(devices.map(\.mac)), "\(screen.joined(separator: "\n"))")
        #expect(screen[0].hasPrefix("lanscope top  \(server.url)"))
        try tmux.sendKeys("q")
        try expectRestored(tmux, exit: 0)
    }

    /// The terminal is back in cooked mode (stty prints `icanon`, `echo`, not their negations) and out
    /// of the alternate screen.
    func expectRestored(_ tmux: Tmux, exit status: Int) throws {
        let after = try tmux.waitFor {
            $0.contains { $0.hasPrefix("top-exit=") } && $0.contains { $0.contains("icanon") }
        }
        #expect(after.contains("top-exit=\(status)"), "\(after.joined(separator: "\n"))")
        let settings = after.joined(separator: " ").split(separator: " ").map(String.init)
        #expect(settings.contains("icanon") && !settings.contains("-icanon"))
        #expect(settings.contains("echo") && !settings.contains("-echo"))
        #expect(try tmux.display("#{alternate_on}") == "0")
        #expect(try tmux.display("#{cursor_flag}") == "1")
    }

    @Test func top_showsSortsFiltersAndDetails_againstALiveReplay() throws {
        let (server, devices, tmux) = try start(Self.samplePcap)
        defer {
            tmux.kill()
            server.stop()
        }
        #expect(devices.count >= 6)
        // Every device the API lists is on screen, busiest first (the counters stopped: equal rates).
        let byTraffic = devices.sorted {
            let a = Double($0.transmittedBytes) + Double($0.receivedBytes)
            let b = Double($1.transmittedBytes) + Double($1.receivedBytes)
            return a != b ? a > b : $0.mac < $1.mac
        }.map(\.mac)
        var screen = try tmux.waitFor { Self.deviceRows($0).count == devices.count }
        #expect(Self.deviceRows(screen) == byTraffic, "\(screen.joined(separator: "\n"))")
        #expect(screen[0].hasPrefix("lanscope top  \(server.url)  \(devices.count) devices"))
        #expect(screen.contains { $0.contains("alices-macbook") })
        #expect(screen.contains { $0.hasPrefix("capture: file replay") })

        // n: by hostname.
        let byName = DeviceOrdering.sort(devices, by: .name, rates: [:]).map(\.mac)
        #expect(byName != byTraffic)
        try tmux.sendKeys("n")
        screen = try tmux.waitFor { Self.deviceRows($0) == byName }
        #expect(Self.deviceRows(screen) == byName, "\(screen.joined(separator: "\n"))")
        #expect(screen[0].contains("sort: name"))

        // / filters as typed; Enter keeps the filter.
        let sonos = try #require(devices.first { $0.hostname == "Sonos-Kitchen" })
        try tmux.sendKeys("/")
        try tmux.sendKeys("-l", "sonos")
        try tmux.sendKeys("Enter")
        screen = try tmux.waitFor { Self.deviceRows($0) == [sonos.mac] }
        #expect(Self.deviceRows(screen) == [sonos.mac], "\(screen.joined(separator: "\n"))")
        #expect(screen[0].contains("filter: sonos"))

        // Enter opens the selected (only) device: identity, addresses, events.
        try tmux.sendKeys("Enter")
        screen = try tmux.waitFor {
            $0.contains { $0.contains("addresses") } && $0.contains { $0.contains("identity") }
        }
        let text = screen.joined(separator: "\n")
        #expect(text.contains("MAC") && text.contains(sonos.mac), "\(text)")
        #expect(text.contains(sonos.ip ?? "no ip"))
        #expect(text.contains("recent events"))
        #expect(text.contains("type"))

        // Esc: back to the filtered table; Esc again clears the filter.
        try tmux.sendKeys("Escape")
        screen = try tmux.waitFor { Self.deviceRows($0) == [sonos.mac] }
        #expect(Self.deviceRows(screen) == [sonos.mac])
        usleep(200_000)
        try tmux.sendKeys("Escape")
        screen = try tmux.waitFor { Self.deviceRows($0).count == devices.count }
        #expect(Self.deviceRows(screen) == byName)

        // q quits and the terminal is as it was.
        try tmux.sendKeys("q")
        try expectRestored(tmux, exit: 0)
    }

    @Test func top_hostileHostnames_cannotChangeTheScreen() throws {
        let (server, devices, tmux) = try start(Self.hostilePcap)
        defer {
            tmux.kill()
            server.stop()
        }
        let escaping = try #require(devices.first { $0.hostname?.contains("\u{1B}") == true })
        let screen = try tmux.waitFor { Self.deviceRows($0).count == devices.count }
        let text = screen.joined(separator: "\n")
        // Every device is one row starting with its MAC; the title and the help line are where they belong.
        #expect(Set(Self.deviceRows(screen)) == Set(devices.map(\.mac)), "\(text)")
        #expect(screen[0].hasPrefix("lanscope top"))
        #expect(screen[47].contains("q quit"))
        // The escape sequence is shown as text, not obeyed: no red, nothing moved, cursor still hidden.
        let row = try #require(screen.first { $0.hasPrefix(escaping.mac) })
        #expect(row.contains("esc\\x1b[31mred"), "\(row)")
        let attributes = try tmux.captureWithAttributes()
        #expect(!attributes.contains("\u{1B}[31m"), "a device's escape sequence reached the terminal")
        #expect(!screen.contains { $0.hasPrefix("# HELP") || $0.hasPrefix("lanscope_injected") })
        #expect(try tmux.display("#{alternate_on}") == "1")
        #expect(try tmux.display("#{cursor_flag}") == "0")
        #expect(try tmux.display("#{pane_title}") != "title")
        try tmux.sendKeys("q")
        try expectRestored(tmux, exit: 0)
    }

    @Test func top_followsResizes_andRestoresTheTerminal_onSIGTERM() throws {
        let (server, devices, tmux) = try start(Self.samplePcap)
        defer {
            tmux.kill()
            server.stop()
        }
        try tmux.waitFor { Self.deviceRows($0).count == devices.count }
        // SIGWINCH: the layout follows the new size (help line on the new last row, columns narrower).
        try tmux.run(["resize-window", "-t", "top", "-x", "100", "-y", "20"])
        // A capture may catch the redraw half done: wait for the whole frame (bounded by waitFor).
        let resized = try tmux.waitFor {
            $0.count >= 20 && $0[19].contains("q quit") && Self.deviceRows($0).count == min(devices.count, 20 - 8)
        }
        #expect(resized.count >= 20 && resized[19].contains("q quit"), "\(resized.joined(separator: "\n"))")
        #expect(resized.allSatisfy { $0.count <= 100 })
        #expect(Self.deviceRows(resized).count == min(devices.count, 20 - 8))
        // The pane runs sh; top is its child.
        let shell = try tmux.display("#{pane_pid}")
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        let top = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
        #expect(kill(top, SIGTERM) == 0)
        try expectRestored(tmux, exit: 0)
    }

    /// The crash path: a fatal signal (here sent with kill) restores the terminal, then the signal takes
    /// its default action, so the exit status still says the process crashed.
    @Test(arguments: [SIGSEGV, SIGABRT])
    func top_restoresTheTerminal_whenItCrashes(signal: Int32) throws {
        let (server, devices, tmux) = try start(Self.samplePcap)
        defer {
            tmux.kill()
            server.stop()
        }
        try tmux.waitFor { Self.deviceRows($0).count == devices.count }
        let shell = try tmux.display("#{pane_pid}")
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        let top = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
        #expect(kill(top, signal) == 0)
        try expectRestored(tmux, exit: 128 + Int(signal))
    }
}
