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
