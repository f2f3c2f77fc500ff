import LanscopeCore
public import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A clock tests move by hand.
public final class ManualClock: Clock, @unchecked Sendable {
    private var current: Timestamp
    public init(_ start: Timestamp = Timestamp(seconds: 1_700_000_000)) { current = start }
    public func now() -> Timestamp { current }
    public func advance(by d: Duration) { current = current + d }
}

/// What a test needs from the machine, as Swift Testing conditions: a missing need is a reported skip
/// with its reason, never a silent pass. In CI the `LANSCOPE_REQUIRE_*` variables make the test run
/// anyway, so a missing corpus, tool or privilege fails it instead of skipping it.
public enum TestEnvironment {
    /// `LANSCOPE_REQUIRE_CORPUS=1`: the public capture corpus (and tshark, its reference) must be there.
    public static let requireCorpus = environment("LANSCOPE_REQUIRE_CORPUS") == "1"
    /// `LANSCOPE_REQUIRE_PRIVILEGED=1`: root-only suites must run.
    public static let requirePrivileged = environment("LANSCOPE_REQUIRE_PRIVILEGED") == "1"
    public static let isRoot = geteuid() == 0
    /// `LANSCOPE_REQUIRE_TMUX=1`: the terminal end-to-end tests (`lanscope top` in tmux) must run.
    public static let requireTmux = environment("LANSCOPE_REQUIRE_TMUX") == "1"

    /// The public capture corpus: `$LANSCOPE_PCAP_CORPUS`, else `shared/pcaps` beside the repository.
    public static let corpusPath: String? = {
        if let configured = environment("LANSCOPE_PCAP_CORPUS"), !configured.isEmpty {
            return access(configured + "/manifest.json", F_OK) == 0 ? configured : nil
        }
        // Tests/TestSupport/TestSupport.swift → package root → ../shared/pcaps
        var root = "\(#filePath)"
        for _ in 0..<3 { root = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }
        let candidate = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) + "/shared/pcaps"
        return access(candidate + "/manifest.json", F_OK) == 0 ? candidate : nil
    }()

    public static func tool(_ name: String) -> String? {
        for dir in ["/usr/bin", "/usr/sbin", "/bin", "/usr/local/bin"] where access("\(dir)/\(name)", X_OK) == 0 {
            return "\(dir)/\(name)"
        }
        return nil
    }

    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

extension Trait where Self == ConditionTrait {
    /// The test reads the public capture corpus.
    public static var needsCorpus: Self {
        .enabled(
            if: TestEnvironment.corpusPath != nil || TestEnvironment.requireCorpus,
            "pcap corpus not found (set LANSCOPE_PCAP_CORPUS or place it at ../shared/pcaps); LANSCOPE_REQUIRE_CORPUS=1 fails instead"
        )
    }

    /// The test compares with tshark on the corpus.
    public static var needsTshark: Self {
        .enabled(
            if: (TestEnvironment.corpusPath != nil && TestEnvironment.tool("tshark") != nil)
                || TestEnvironment.requireCorpus,
            "needs the pcap corpus and tshark (Debian tshark); LANSCOPE_REQUIRE_CORPUS=1 fails instead")
    }

    /// The test needs root (BPF, namespaces, capabilities).
    public static var needsRoot: Self {
        .enabled(
            if: TestEnvironment.isRoot || TestEnvironment.requirePrivileged,
            "needs root (CAP_BPF, CAP_NET_ADMIN); LANSCOPE_REQUIRE_PRIVILEGED=1 fails instead")
    }

    /// The test drives a terminal program in tmux.
    public static var needsTmux: Self {
        .enabled(
            if: TestEnvironment.tool("tmux") != nil || TestEnvironment.requireTmux,
            "needs tmux (Debian tmux); LANSCOPE_REQUIRE_TMUX=1 fails instead")
    }
}
