#if canImport(Glibc)
    import Glibc
#endif

/// Why the terminal could not be taken over.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// The output is not a terminal (redirected to a file or a pipe).
    case notATerminal(fd: Int32)
    /// A termios call failed, with its errno.
    case termios(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .notATerminal(let fd): "file descriptor \(fd) is not a terminal"
        case .termios(let call, let errno): "\(call) failed: \(String(cString: strerror(errno)))"
        }
    }
}

/// The terminal while a full-screen view owns it: raw mode, the alternate screen, a hidden cursor and
/// auto-wrap off (so writing the last column never scrolls). `restore()` puts everything back; it also
/// runs at exit and on a crash (`TerminalRestore`), so the shell is never left in raw mode.
public final class TerminalSession {
    public let input: Int32
    public let output: Int32
    private var original = termios()
    private var active = false

    /// Whether `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Checks that both descriptors are terminals; nothing changes until `enter()`.
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws(TerminalError) {
        guard Self.isTerminal(output) else { throw .notATerminal(fd: output) }
        guard Self.isTerminal(input) else { throw .notATerminal(fd: input) }
        self.input = input
        self.output = output
    }

    /// Raw mode (no echo, no line editing, no signals from keys, 8-bit input: `cfmakeraw`), then the
    /// alternate screen.
    public func enter() throws(TerminalError) {
        guard !active else { return }
        guard tcgetattr(input, &original) == 0 else { throw .termios(call: "tcgetattr", errno: errno) }
        var raw = original
        cfmakeraw(&raw)
        // Reads return as soon as one byte is there; the loop polls, so they never block long.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        TerminalRestore.arm(fd: input, saved: original)
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            let error = errno
            TerminalRestore.restoreNow()
            throw .termios(call: "tcsetattr", errno: error)
        }
        active = true
        // Alternate screen (xterm private mode 1049), hidden cursor, auto-wrap off, cleared.
        write(Array("\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[0m\u{1B}[2J".utf8))
    }

    /// Leaves raw mode and the alternate screen. Idempotent.
    public func restore() {
        guard active else { return }
        active = false
        TerminalRestore.restoreNow()
    }

    /// Writes all of `bytes` to the terminal, retrying after interruptions and short writes.
    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += n
        }
    }

    /// The terminal's size in cells, or nil when the terminal does not say.
    public func size() -> (columns: Int, rows: Int)? {
        var w = winsize()
        guard ioctl(output, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return nil }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    deinit { restore() }
}
