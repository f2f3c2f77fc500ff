import CaptureEBPF
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Shared by the privileged suites (gated by TestSupport's `.needsRoot`, named `*PrivilegedTests` so
/// `make test-privileged` selects every one of them).
enum Privileged {
    static let logger: Logger = {
        var logger = Logger(label: "lanscope.test.ebpf")
        logger.logLevel = .info
        return logger
    }()
}
