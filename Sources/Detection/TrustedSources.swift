import LanscopeCore

/// The set of servers (DHCP servers, IPv6 routers) a LAN is expected to have, for the rogue detectors.
/// With a configured list, exactly that list is trusted and nothing is learned. Without one, every
/// source seen while the pipeline is learning, or within `learningWindow` of the first source seen, is
/// learned as legitimate — so a fresh install on a LAN with one DHCP server learns it from its first
/// OFFER or ACK, and a server that appears later is rogue.
struct TrustedSources: Sendable {
    let trustedMACs: Set<MACAddress>
    let trustedAddresses: Set<IPAddress>
    let learningWindow: Duration
    let maxLearned: Int
    private(set) var learned: Set<MACAddress> = []
    private var firstSeen: Timestamp?
    private(set) var dropped: UInt64 = 0

    init(trusted: [TrustedSource], learningWindow: Duration, maxLearned: Int) {
        trustedMACs = Set(trusted.compactMap(\.mac))
        trustedAddresses = Set(trusted.compactMap(\.address))
        self.learningWindow = learningWindow
        self.maxLearned = maxLearned
    }

    var isConfigured: Bool { !trustedMACs.isEmpty || !trustedAddresses.isEmpty }

    /// Starts the learning window at `time` if no source has started it yet: for sources that announce
    /// themselves unprompted (IPv6 routers), so the first one to appear long after the start is not
    /// learned just for being first.
    mutating func watching(since time: Timestamp) {
        if firstSeen == nil { firstSeen = time }
    }

    /// Whether `mac` (claiming `address`) is expected; learns it when still learning.
    mutating func admit(_ mac: MACAddress, address: IPAddress?, at time: Timestamp, learning: Bool) -> Bool {
        if isConfigured {
            return trustedMACs.contains(mac) || address.map(trustedAddresses.contains) == true
        }
        if learned.contains(mac) { return true }
        let start = firstSeen ?? time
        firstSeen = start
        guard learning || time - start <= learningWindow else { return false }
        if learned.count < maxLearned { learned.insert(mac) } else { dropped &+= 1 }
        return true
    }
}

/// A trusted server or router named in the configuration, by MAC or by address.
public enum TrustedSource: Sendable, Hashable, CustomStringConvertible {
    case mac(MACAddress)
    case ip(IPAddress)

    var mac: MACAddress? { if case .mac(let mac) = self { mac } else { nil } }
    var address: IPAddress? { if case .ip(let address) = self { address } else { nil } }

    public var description: String {
        switch self {
        case .mac(let mac): mac.description
        case .ip(let address): address.description
        }
    }

    /// Parses a MAC (`aa:bb:cc:dd:ee:ff`) or an IPv4/IPv6 address.
    public init?(_ text: some StringProtocol) {
        if let mac = MACAddress(text) {
            self = .mac(mac)
        } else if let address = IPAddress(text) {
            self = .ip(address)
        } else {
            return nil
        }
    }
}
