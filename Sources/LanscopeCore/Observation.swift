/// The protocols lanscope learns from. Raw values are the `protocol` label in metrics and the
/// `source` column in the database: never rename one.
public enum DiscoveryProtocol: String, Sendable, Hashable, CaseIterable, Comparable {
    case ethernet, arp, ipv4, ipv6, udp, tcp, icmpv6, dhcp, dhcpv6, dns, mdns, ssdp, lldp, cdp, nbns, ndp, tls, http
    /// WS-Discovery (UDP 3702): ONVIF cameras, WSD printers and scanners, Windows computers.
    case wsd
    /// Ubiquiti's discovery protocol (UDP 10001): UniFi, airMAX and EdgeMAX devices announcing themselves.
    case ubnt

    public static func < (lhs: DiscoveryProtocol, rhs: DiscoveryProtocol) -> Bool { lhs.rawValue < rhs.rawValue }

    /// By case, not by raw value: the standard library's default for a `String`-backed enum hashes
    /// the name's bytes, and protocols are hashed on the per-frame path (sets, dictionaries, facts).
    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }

    /// The case's position in declaration order (`allCases`), for counters kept in a fixed array
    /// rather than hashed into a dictionary on the per-frame path.
    public var ordinal: Int {
        switch self {
        case .ethernet: 0
        case .arp: 1
        case .ipv4: 2
        case .ipv6: 3
        case .udp: 4
        case .tcp: 5
        case .icmpv6: 6
        case .dhcp: 7
        case .dhcpv6: 8
        case .dns: 9
        case .mdns: 10
        case .ssdp: 11
        case .lldp: 12
        case .cdp: 13
        case .nbns: 14
        case .ndp: 15
        case .tls: 16
        case .http: 17
        case .wsd: 18
        case .ubnt: 19
        }
    }
}

/// One fact learned from one frame about one device (the MAC it is attributed to). Decoders emit
/// these; the inventory folds them. Attribution rules live with each decoder: an mDNS *question*
/// about another host says nothing about the asker, an SSDP M-SEARCH names what a client looks
/// for, not what it is, ARP teaches the sender's MAC↔IP.
public struct Observation: Sendable, Hashable {
    public var mac: MACAddress
    public var time: Timestamp
    public var fact: Fact

    public init(mac: MACAddress, time: Timestamp, fact: Fact) {
        self.mac = mac
        self.time = time
        self.fact = fact
    }
}

public enum Fact: Sendable, Hashable {
    /// The device uses (or was assigned) this address.
    case address(IPAddress, via: DiscoveryProtocol)
    /// A name the device gives itself (DHCP option 12/81, its own mDNS A/AAAA/SRV target, NBNS...).
    case hostname(String, via: DiscoveryProtocol)
    /// What a DHCPv4 client sent: the classic DHCP fingerprint.
    case dhcpClient(DHCPClientFingerprint)
    /// The device answered as a DHCP server (OFFER/ACK/NAK) — input for rogue-server detection — with the
    /// routers the reply hands out (option 3, at most `DHCPServerRole.maximumRouters`) and what that says of
    /// the sender's role (nil when it states no router).
    case dhcpServer(
        serverIdentifier: IPv4Address?, messageType: UInt8, role: DHCPServerRole? = nil, routers: [IPv4Address] = [])
    /// A service the device advertises (mDNS/DNS-SD instance, SSDP NOTIFY or search response) or runs
    /// (a TCP port it answered a SYN on with a SYN-ACK).
    case service(ServiceAdvertisement)
    /// An SSDP M-SEARCH target or mDNS question: what the device looks for (not identity evidence).
    case searching(target: String, via: DiscoveryProtocol)
    /// A free-form identity string (SSDP SERVER header, HTTP User-Agent, LLDP system description).
    case software(String, via: DiscoveryProtocol)
    /// What a DHCPv6 client sent (DUID, ORO, vendor class, FQDN).
    case dhcpv6Client(DHCPv6ClientFingerprint)
    /// A TCP SYN the device sent (passive OS signature).
    case tcpSignature(TCPSignature)
    /// A DNS name the device looked up (unicast DNS query, not mDNS).
    case dnsQuery(String)
    /// A TLS ClientHello the device sent.
    case tlsClient(TLSClientFingerprint)
    /// An HTTP/1.x request head the device sent.
    case httpClient(HTTPClientFingerprint)
    /// Hardware/software inventory the device states (LLDP-MED, CDP).
    case inventory(DeviceInventory)
    /// The device sent an IPv6 router advertisement.
    case routerAdvertisement(RouterAdvertisement)
}

/// DHCPv4 client identity (RFC 2132 options), as sent in DISCOVER/REQUEST/INFORM.
public struct DHCPClientFingerprint: Sendable, Hashable {
    /// DHCP message type (option 53): 1 DISCOVER, 3 REQUEST, 8 INFORM...
    public var messageType: UInt8
    /// Option 55, in the client's order: the classic DHCP fingerprint.
    public var parameterRequestList: [UInt8]
    /// Option 60.
    public var vendorClass: String?
    /// Option 61, raw.
    public var clientIdentifier: [UInt8]?
    /// Option 57.
    public var maxMessageSize: UInt16?
    /// Option 50.
    public var requestedAddress: IPv4Address?

    public init(
        messageType: UInt8, parameterRequestList: [UInt8] = [], vendorClass: String? = nil,
        clientIdentifier: [UInt8]? = nil, maxMessageSize: UInt16? = nil, requestedAddress: IPv4Address? = nil
    ) {
        self.messageType = messageType
        self.parameterRequestList = parameterRequestList
        self.vendorClass = vendorClass
        self.clientIdentifier = clientIdentifier
        self.maxMessageSize = maxMessageSize
        self.requestedAddress = requestedAddress
    }

    /// Option 55 as the usual comma-separated text, e.g. `1,3,6,15,119,252`.
    public var parameterRequestListText: String { commaSeparatedDecimal(parameterRequestList) }
}

/// The values in decimal, comma-separated (`1,3,6,15`): what `map(String.init).joined(separator: ",")`
/// gives, built as bytes instead of a string per value (these texts are built for every DHCP client
/// a replay writes, and for every classification of one).
func commaSeparatedDecimal<Value: FixedWidthInteger & UnsignedInteger>(_ values: [Value]) -> String {
    guard !values.isEmpty else { return "" }
    // At most 20 digits and a comma per value, written front to back into one buffer.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: values.count * 21) { buffer in
        var end = 0
        for value in values {
            if end > 0 {
                buffer[end] = UInt8(ascii: ",")
                end += 1
            }
            var rest = UInt64(value)
            var digits = 1
            var scale: UInt64 = 1
            while rest / scale >= 10 {
                scale *= 10
                digits += 1
            }
            for _ in 0..<digits {
                buffer[end] = UInt8(ascii: "0") + UInt8(rest / scale)
                rest %= scale
                scale /= 10
                end += 1
            }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<end]), as: UTF8.self)
    }
}

/// A service a device advertises.
public struct ServiceAdvertisement: Sendable, Hashable, Comparable {
    public var via: DiscoveryProtocol
    /// DNS-SD service type (`_ipp._tcp`), SSDP NT/ST (`urn:schemas-upnp-org:device:MediaRenderer:1`), or
    /// `tcp/PORT` for a port the device answered a TCP SYN on (`via: .tcp`).
    public var type: String
    /// DNS-SD instance name, or SSDP USN.
    public var name: String?
    public var port: UInt16?
    /// DNS-SD TXT key/value pairs in wire order (e.g. `md=`, `model=`, `ty=`).
    public var txt: [TXTEntry]
    /// SSDP LOCATION.
    public var location: String?
    /// SSDP SERVER.
    public var server: String?

    public init(
        via: DiscoveryProtocol, type: String, name: String? = nil, port: UInt16? = nil, txt: [TXTEntry] = [],
        location: String? = nil, server: String? = nil
    ) {
        self.via = via
        self.type = type
        self.name = name
        self.port = port
        self.txt = txt
        self.location = location
        self.server = server
    }

    /// The `type` of a port the device was seen accepting TCP connections on (a SYN-ACK it sent): `tcp/631`.
    public static func tcpServerType(_ port: UInt16) -> String { "tcp/\(port)" }

    public static func < (lhs: ServiceAdvertisement, rhs: ServiceAdvertisement) -> Bool {
        (lhs.via.rawValue, lhs.type, lhs.name ?? "", lhs.port ?? 0) < (
            rhs.via.rawValue, rhs.type, rhs.name ?? "", rhs.port ?? 0
        )
    }
}

public struct TXTEntry: Sendable, Hashable {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) { self.key = key; self.value = value }
}
