/// Which loaded program `EBPFCapture.testRun` executes.
public enum ProgramKind: String, Sendable, CaseIterable {
    /// The XDP ingress program.
    case xdp
    /// The TC egress program.
    case tc
    /// An XDP program that only returns `XDP_PASS`: the floor any XDP program costs.
    case xdpPass = "xdp_pass"
}
