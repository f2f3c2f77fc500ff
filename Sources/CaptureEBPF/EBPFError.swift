#if canImport(Glibc)
    import Glibc
#endif

/// Everything that can go wrong loading, attaching or reading the BPF side. Descriptions name the
/// failing call, the errno text and, for permission errors, the capabilities needed.
public enum EBPFError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A libbpf or bpf(2) call failed with `errno`.
    case call(String, errno: Int32)
    /// The embedded object is missing or does not hold what this build expects.
    case object(String)
    case invalidConfiguration(String)
    case interfaceNotFound(String)
    /// Another (non-lanscope) XDP program is attached; lanscope does not replace foreign programs.
    case foreignXDPProgram(interface: String, name: String, id: UInt32)
    /// The operation needs a loaded and attached capture.
    case notAttached

    public var description: String {
        switch self {
        case let .call(name, code):
            let text = String(cString: strerror(code))
            var message = "\(name) failed: \(text) (errno \(code))"
            if code == EPERM || code == EACCES {
                message += " — needs CAP_BPF and CAP_NET_ADMIN (or root); CAP_PERFMON for the perf buffer"
            }
            return message
        case let .object(detail): return "embedded BPF object: \(detail)"
        case let .invalidConfiguration(detail): return "invalid eBPF capture configuration: \(detail)"
        case let .interfaceNotFound(name): return "interface \(name) not found"
        case let .foreignXDPProgram(interface, name, id):
            return "interface \(interface) already has XDP program \(name) (id \(id)) that is not lanscope's; "
                + "remove it (ip link set dev \(interface) xdp off) or use the libpcap backend"
        case .notAttached: return "eBPF capture is not attached"
        }
    }

    /// libbpf 1.x returns `-errno`; this maps such a return value to `.call`.
    static func libbpf(_ name: String, _ result: Int32) -> EBPFError {
        .call(name, errno: result < 0 ? -result : result)
    }
}
