import Glibc
internal import LinkFlags

/// Whether frames can arrive on an interface now: it exists, is administratively up and has carrier.
/// What `lanscope_capture_up` reports together with the backend's own state.
struct LinkState: Equatable, Sendable, CustomStringConvertible {
    var exists: Bool
    var ifindex: Int32
    var up: Bool
    var running: Bool

    static func current(_ interface: String) -> LinkState {
        let ifindex = Int32(bitPattern: if_nametoindex(interface))
        let flags = ls_link_flags(interface)
        guard ifindex > 0, flags >= 0 else { return LinkState(exists: false, ifindex: 0, up: false, running: false) }
        return LinkState(
            exists: true, ifindex: ifindex, up: flags & ls_link_flag_up() != 0,
            running: flags & ls_link_flag_running() != 0)
    }

    /// Frames can arrive.
    var usable: Bool { exists && up && running }

    var description: String {
        guard exists else { return "interface gone" }
        if !up { return "interface down" }
        if !running { return "no carrier" }
        return "up"
    }
}
