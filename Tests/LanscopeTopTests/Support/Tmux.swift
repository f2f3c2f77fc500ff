import Foundation

/// A tmux server of its own (`tmux -L <unique>`, no config file) running one window; only this
/// server is ever killed.
final class Tmux {
    let socket = "lanscope-top-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let tmux: String
    private var started = false

    init(tmux: String) { self.tmux = tmux }

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let result = try runProcess(tmux, ["-L", socket, "-f", "/dev/null"] + arguments, timeout: 10)
        guard result.status == 0 else {
            throw TmuxError(message: "tmux \(arguments.joined(separator: " ")): \(result.output)")
        }
        return result.output
    }

    /// Starts `command` (run by `sh -c`) in a detached session of `width` × `height` cells.
    func start(_ command: String, width: Int = 160, height: Int = 48) throws {
        try run(["new-session", "-d", "-s", "top", "-x", String(width), "-y", String(height), command])
        started = true
        // Keep the pane when the command ends, so what it left behind can be read.
        try run(["set-option", "-t", "top", "remain-on-exit", "on"])
    }

    func sendKeys(_ keys: String...) throws { try run(["send-keys", "-t", "top"] + keys) }

    /// The pane's lines as shown (no escape sequences), trailing blanks trimmed.
    func capture() throws -> [String] {
        try run(["capture-pane", "-p", "-t", "top"]).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0) }
    }

    /// The pane with its colours and attributes as SGR sequences (`capture-pane -e`).
    func captureWithAttributes() throws -> String { try run(["capture-pane", "-p", "-e", "-t", "top"]) }

    func display(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", "top", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls the pane every 100 ms until `condition` holds or `timeout` passes; returns the last capture.
    @discardableResult
    func waitFor(timeout: TimeInterval = 15, _ condition: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var lines = try capture()
        while !condition(lines) && Date() < deadline {
            usleep(100_000)
            lines = try capture()
        }
        return lines
    }

    func kill() {
        guard started else { return }
        started = false
        _ = try? runProcess(tmux, ["-L", socket, "kill-server"], timeout: 10)
        // The socket file stays when the server was already gone.
        unlink("/tmp/tmux-\(getuid())/\(socket)")
    }

    deinit { kill() }
}

struct TmuxError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
