/// Which loaded program `EBPFCapture.testRun` executes.
public enum ProgramKind: String, Sendable, CaseIterable {
    /// The XDP ingress program.
    case xdp
    /// The TC egress program.
    case tc
    /// An XDP program that only returns `XDP_PASS`: the floor any XDP program costs.
    case xdpPass = "xdp_pass"
}

/// Outcome of `BPF_PROG_TEST_RUN`.
public struct TestRunResult: Sendable, Hashable {
    /// The program's return value (XDP_PASS is 2, TC_ACT_OK is 0).
    public var returnValue: UInt32
    /// Mean kernel-measured time per run, in nanoseconds.
    public var nanosecondsPerRun: UInt32
}

/// Return values of the programs, for comparing with `TestRunResult.returnValue`.
public enum ProgramVerdict {
    public static let xdpPass: UInt32 = 2
    public static let tcActionOK: UInt32 = 0
}
