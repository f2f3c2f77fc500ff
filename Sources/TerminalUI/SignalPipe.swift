#if canImport(Glibc)
    import Glibc
#endif

/// Signals turned into bytes on a pipe (the self-pipe trick): the handler only `write`s the signal's
/// number, and the event loop `poll`s the read end beside the terminal, so SIGWINCH, SIGINT and
/// SIGTERM are handled in ordinary code between frames.
public final class SignalPipe {
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    /// The end to `poll` for readability.
    public let fileDescriptor: Int32
    private let signals: [Int32]

    /// Installs handlers for `signals` (one pipe per process: a second instance replaces the first).
    public init(signals: [Int32]) throws(TerminalError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .termios(call: "pipe", errno: errno) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = ends[0]
        Self.writeEnd = ends[1]
        self.signals = signals
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var byte = UInt8(truncatingIfNeeded: signal)
                let saved = errno
                _ = write(SignalPipe.writeEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            // Blocking calls elsewhere (socket reads) resume; the loop sees the signal when they return.
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESTART)
            sigaction(signal, &action, nil)
        }
    }

    /// The signals delivered since the last call, in order (each at most once per batch).
    public func drain() -> [Int32] {
        var buffer = [UInt8](repeating: 0, count: 64)
        var out: [Int32] = []
        while true {
            let n = read(fileDescriptor, &buffer, buffer.count)
            guard n > 0 else { break }
            for b in buffer[0..<n] where !out.contains(Int32(b)) { out.append(Int32(b)) }
        }
        return out
    }

    deinit {
        for signal in signals { Glibc.signal(signal, SIG_DFL) }
        close(Self.writeEnd)
        close(fileDescriptor)
    }
}
