/// What `EBPFCapture.check` found: whether this machine can run the eBPF backend, and if not, why.
public struct EBPFCheckReport: Sendable, CustomStringConvertible {
    public struct Capabilities: Sendable, Hashable {
        public var bpf: Bool
        public var netAdmin: Bool
        public var perfmon: Bool
        public var sysAdmin: Bool
        /// Loading needs CAP_BPF (or CAP_SYS_ADMIN), attaching CAP_NET_ADMIN, the perf buffer
        /// CAP_PERFMON (or CAP_SYS_ADMIN).
        public var sufficient: Bool { (bpf || sysAdmin) && netAdmin && (perfmon || sysAdmin) }

        /// The capabilities still needed to load and attach, by name (empty when sufficient).
        public var missing: [String] {
            var names: [String] = []
            if !(bpf || sysAdmin) { names.append("CAP_BPF") }
            if !netAdmin { names.append("CAP_NET_ADMIN") }
            if !(perfmon || sysAdmin) { names.append("CAP_PERFMON") }
            return names
        }
    }

    public var kernelRelease: String
    /// `/sys/kernel/btf/vmlinux` exists.
    public var kernelBTF: Bool
    /// From CapEff in /proc/self/status; `nil` when it could not be read.
    public var capabilities: Capabilities?
    /// The object passed the verifier.
    public var loaded: Bool
    public var loadError: String?
    /// Interface attach was tried (only when an interface was given).
    public var attachTried: Bool
    public var attached: Bool
    public var attachError: String?
    public var maps: [String]
    public var programs: [String]

    public var ok: Bool { loaded && (!attachTried || attached) }

    public var description: String {
        var lines = ["kernel \(kernelRelease), BTF \(kernelBTF ? "present" : "absent")"]
        if let capabilities {
            lines.append(
                "capabilities: CAP_BPF \(capabilities.bpf), CAP_NET_ADMIN \(capabilities.netAdmin), "
                    + "CAP_PERFMON \(capabilities.perfmon), CAP_SYS_ADMIN \(capabilities.sysAdmin)")
        } else {
            lines.append("capabilities: unknown")
        }
        lines.append(
            loaded ? "load: ok (programs \(programs.joined(separator: ", ")))" : "load: failed: \(loadError ?? "?")")
        if attachTried { lines.append(attached ? "attach/detach: ok" : "attach: failed: \(attachError ?? "?")") }
        return lines.joined(separator: "\n")
    }
}
