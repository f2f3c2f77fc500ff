public import LanscopeCore

/// The kind of an evidence row: which `Fact` case it came from. Raw values are the `kind` column:
/// never rename one.
public enum EvidenceKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case address
    case hostname
    case dhcpClient = "dhcp_client"
    case dhcpServer = "dhcp_server"
    case service
    case searching
    case software
    case dhcpv6Client = "dhcpv6_client"
    case tcpSignature = "tcp_signature"
    case dnsQuery = "dns_query"
    case tlsClient = "tls_client"
    case httpClient = "http_client"
    case inventory
    case routerAdvertisement = "router_advertisement"

    public static func < (a: EvidenceKind, b: EvidenceKind) -> Bool { a.rawValue < b.rawValue }

    /// By case: the default for a `String`-backed enum hashes the name (every evidence row's key
    /// is hashed while a write groups them).
    public func hash(into hasher: inout Hasher) {
        let ordinal: Int
        switch self {
        case .address: ordinal = 0
        case .hostname: ordinal = 1
        case .dhcpClient: ordinal = 2
        case .dhcpServer: ordinal = 3
        case .service: ordinal = 4
        case .searching: ordinal = 5
        case .software: ordinal = 6
        case .dhcpv6Client: ordinal = 7
        case .tcpSignature: ordinal = 8
        case .dnsQuery: ordinal = 9
        case .tlsClient: ordinal = 10
        case .httpClient: ordinal = 11
        case .inventory: ordinal = 12
        case .routerAdvertisement: ordinal = 13
        }
        hasher.combine(ordinal)
    }
}

/// One distinct thing learned about a device, with when it was first and last seen and how many
/// observations extended that window (see `HistoryStore.write`).
public struct EvidenceRecord: Sendable, Hashable {
    public var kind: EvidenceKind
    public var source: DiscoveryProtocol
    /// Stable text rendering of the fact (`EvidenceRecord.value(of:)`).
    public var value: String
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var count: Int

    public init(
        kind: EvidenceKind, source: DiscoveryProtocol, value: String, firstSeen: Timestamp, lastSeen: Timestamp,
        count: Int
    ) {
        self.kind = kind
        self.source = source
        self.value = value
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
    }
}
