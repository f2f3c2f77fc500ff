/// Everything lanscope knows about one device (one MAC). Built by the inventory from observations;
/// read by the history store, the JSON API and the exposition.
public struct Device: Sendable, Hashable {
    public var mac: MACAddress
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// Addresses with when they were first and last seen, and how we learned them.
    public var addresses: [IPAddress: AddressRecord] = [:]
    /// The best hostname and where it came from; `hostnames` keeps every name heard, by source.
    public var hostname: String?
    public var hostnameSource: DiscoveryProtocol?
    public var hostnames: [DiscoveryProtocol: String] = [:]
    public var vendor: String?
    public var dhcp: DHCPClientFingerprint?
    /// When `dhcp` was sent, so the newest fingerprint wins whatever order frames arrive in.
    public var dhcpSeen: Timestamp?
    public var services: Set<ServiceAdvertisement> = []
    /// Free-form software identities (SSDP SERVER, User-Agent...), by source.
    public var software: [DiscoveryProtocol: String] = [:]
    /// Protocols this device was seen speaking (discovery-level), for evidence.
    public var protocols: Set<DiscoveryProtocol> = []
    /// The device acts as a DHCP server.
    public var isDHCPServer: Bool = false
    /// What its DHCP replies said of its role (gateway, relay, or a server beside the router).
    public var dhcpServerRoles: Set<DHCPServerRole> = []
    /// The newest DHCPv6 client fingerprint (by packet time).
    public var dhcpv6: DHCPv6ClientFingerprint?
    /// Distinct TCP SYN signatures the device sent (bounded).
    public var tcpSignatures: Set<TCPSignature> = []
    /// Names the device resolved or connected to: unicast DNS queries, TLS SNI, HTTP Host (bounded).
    public var destinationNames: Set<String> = []
    /// Distinct JA4 fingerprints of the device's TLS ClientHellos (bounded).
    public var tlsFingerprints: Set<String> = []
    /// Distinct HTTP User-Agent strings the device sent (bounded).
    public var userAgents: Set<String> = []
    /// What the device states about its hardware and software (LLDP-MED, CDP), newest per source.
    public var inventory: [DiscoveryProtocol: DeviceInventory] = [:]
    /// The device sent IPv6 router advertisements.
    public var isIPv6Router: Bool = false
    /// The classifier's conclusion (nil until the device has been classified).
    public var classification: DeviceClassification?
    /// For a private (locally administered) MAC: the device it most likely belongs to, and why.
    public var privateMACLink: PrivateMACLink?
    public var traffic = TrafficCounters()

    public init(mac: MACAddress, firstSeen: Timestamp, lastSeen: Timestamp) {
        self.mac = mac
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    /// Randomised ("private") MACs set the locally-administered bit.
    public var isLocallyAdministered: Bool { mac.isLocallyAdministered }

    /// Addresses sorted IPv4 first, then IPv6, each ascending.
    public var sortedAddresses: [IPAddress] { addresses.keys.sorted() }
}

public struct AddressRecord: Sendable, Hashable {
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var source: DiscoveryProtocol
    public init(firstSeen: Timestamp, lastSeen: Timestamp, source: DiscoveryProtocol) {
        self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.source = source
    }
}

/// A private MAC linked to another MAC of the same device (DHCP client identifier, DHCPv6 DUID,
/// hostname, mDNS names), with the evidence that links them.
public struct PrivateMACLink: Sendable, Hashable {
    public var mac: MACAddress
    public var confidence: Double
    public var evidence: [ClassificationEvidence]
    public init(mac: MACAddress, confidence: Double, evidence: [ClassificationEvidence]) {
        self.mac = mac
        self.confidence = confidence
        self.evidence = evidence
    }
}
