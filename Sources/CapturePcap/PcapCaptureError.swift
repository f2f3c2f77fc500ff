/// Errors from libpcap capture, each naming what failed and, where it helps, what to do.
public enum PcapCaptureError: Error, CustomStringConvertible, Equatable {
    case openFailed(interface: String, reason: String)
    case permissionDenied(interface: String, reason: String)
    case noSuchInterface(String)
    case interfaceDown(String)
    case unsupportedLinkType(Int32, name: String, source: String)
    case readFailed(source: String, reason: String)

    public var description: String {
        switch self {
        case .openFailed(let i, let r): return "cannot capture on \(i): \(r)"
        case .permissionDenied(let i, let r):
            return
                "cannot capture on \(i): permission denied (\(r)) — live capture needs CAP_NET_RAW (run as root or grant it: setcap cap_net_raw,cap_net_admin+ep lanscope)"
        case .noSuchInterface(let i): return "no such interface: \(i) (see `ip link`)"
        case .interfaceDown(let i): return "interface \(i) is down"
        case .unsupportedLinkType(let dlt, let name, let source):
            return
                "unsupported link type \(dlt) (\(name)) in \(source): lanscope reads Ethernet and Linux cooked (SLL/SLL2) captures"
        case .readFailed(let s, let r): return "reading \(s) failed: \(r)"
        }
    }
}
