internal import CLibBPF
import Logging
import Synchronization

/// Forwards libbpf's own messages (verifier output included) to swift-log at debug level.
enum LibBPFLog {
    private static let logger = Mutex<Logger?>(nil)

    /// Installs `logger` as the destination of libbpf messages; the latest call wins.
    static func route(to logger: Logger) {
        Self.logger.withLock { $0 = logger }
        ls_set_print_sink { _, message in
            guard let message else { return }
            var text = String(cString: message)
            while text.last == "\n" { text.removeLast() }
            LibBPFLog.logger.withLock { $0 }?.debug("libbpf", metadata: ["message": .string(text)])
        }
    }
}
