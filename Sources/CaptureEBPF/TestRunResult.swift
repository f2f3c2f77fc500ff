/// Outcome of `BPF_PROG_TEST_RUN`.
public struct TestRunResult: Sendable, Hashable {
    /// The program's return value (XDP_PASS is 2, TC_ACT_OK is 0).
    public var returnValue: UInt32
    /// Mean kernel-measured time per run, in nanoseconds.
    public var nanosecondsPerRun: UInt32
}
