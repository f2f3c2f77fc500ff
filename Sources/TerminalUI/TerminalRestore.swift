#if canImport(Glibc)
    import Glibc
#endif

/// The one saved terminal state, kept where a signal handler can reach it: crash handlers and `atexit`
/// restore it with async-signal-safe calls only (`tcsetattr`, `write`), then let the signal proceed.
enum TerminalRestore {
    // Written before `armed` is set and only read after; handlers read plain memory, no Swift runtime.
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var armed: sig_atomic_t = 0
    nonisolated(unsafe) static var handlersInstalled = false

    /// Leaves the alternate screen, shows the cursor, turns auto-wrap and attributes back on.
    /// A `StaticString` so a signal handler can write it without touching lazily initialised globals.
    static let leaveSequence: StaticString = "\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"

    /// Signals that end the process with a core or a trap: the terminal is restored, then the signal is
    /// raised again with its default action so the crash still shows (exit status, core dump).
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func arm(fd: Int32, saved state: termios) {
        saved = state
        self.fd = fd
        armed = 1
        guard !handlersInstalled else { return }
        handlersInstalled = true
        atexit { TerminalRestore.restoreNow() }
        for signal in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                TerminalRestore.restoreNow()
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigaction(signal, &action, nil)
        }
    }

    /// Restores once; later calls do nothing. Async-signal-safe.
    static func restoreNow() {
        guard armed == 1 else { return }
        armed = 0
        _ = leaveSequence.withUTF8Buffer { write(fd, $0.baseAddress, $0.count) }
        _ = tcsetattr(fd, TCSAFLUSH, &saved)
    }
}
