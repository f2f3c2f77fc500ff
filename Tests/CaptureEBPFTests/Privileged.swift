#if canImport(Glibc)
    import Glibc
#endif
import CaptureEBPF
import Logging
import Testing

/// Gate for tests that load BPF programs or create namespaces: they need root. Without root they
/// are skipped with this reason, unless LANSCOPE_REQUIRE_PRIVILEGED=1 (CI), which runs them anyway
/// so they fail rather than pass by skipping.
enum Privileged {
    static let requiredByEnvironment = getenv("LANSCOPE_REQUIRE_PRIVILEGED").map { String(cString: $0) } == "1"
    static let isRoot = geteuid() == 0
    static let enabled = isRoot || requiredByEnvironment
    static let reason: Comment =
        "needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON); skipped — set LANSCOPE_REQUIRE_PRIVILEGED=1 to fail instead"

    static let logger: Logger = {
        var logger = Logger(label: "lanscope.test.ebpf")
        logger.logLevel = .info
        return logger
    }()
}

