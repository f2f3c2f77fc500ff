/// Identity signals a device gives away as a client: DHCPv6, TCP SYN, TLS ClientHello, HTTP request
/// heads, LLDP-MED/CDP inventory, IPv6 router advertisements. Decoders build these; the inventory keeps
/// them (bounded); the classifier and detectors read them.

/// DHCPv6 client identity (RFC 8415), from SOLICIT/REQUEST/RENEW/REBIND/INFORMATION-REQUEST/CONFIRM.
public struct DHCPv6ClientFingerprint: Sendable, Hashable {
    /// DHCPv6 message type (RFC 8415 §7.3): 1 SOLICIT, 3 REQUEST, 5 RENEW, 6 REBIND, 11 INFORMATION-REQUEST...
    public var messageType: UInt8
    /// OPTION_CLIENTID (1), raw DUID bytes.
    public var duid: [UInt8]?
    /// Option request option (OPTION_ORO, 6), option codes in the client's order: the DHCPv6 fingerprint.
    public var optionRequest: [UInt16]
    /// OPTION_VENDOR_CLASS (16): enterprise number and the first vendor-class-data string.
    public var vendorEnterprise: UInt32?
    public var vendorClass: String?
    /// OPTION_CLIENT_FQDN (39), the domain name as text.
    public var fqdn: String?

    public init(
        messageType: UInt8, duid: [UInt8]? = nil, optionRequest: [UInt16] = [], vendorEnterprise: UInt32? = nil,
        vendorClass: String? = nil, fqdn: String? = nil
    ) {
        self.messageType = messageType
        self.duid = duid
        self.optionRequest = optionRequest
        self.vendorEnterprise = vendorEnterprise
        self.vendorClass = vendorClass
        self.fqdn = fqdn
    }

    /// DUID type (RFC 8415 §11.1): 1 DUID-LLT, 2 DUID-EN, 3 DUID-LL, 4 DUID-UUID.
    public var duidType: UInt16? {
        guard let duid, duid.count >= 2 else { return nil }
        return UInt16(duid[0]) << 8 | UInt16(duid[1])
    }

    /// DUID-EN's enterprise number (RFC 8415 §11.3).
    public var duidEnterprise: UInt32? {
        guard duidType == 2, let duid, duid.count >= 6 else { return nil }
        return duid[2..<6].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The link-layer address in a DUID-LLT or DUID-LL with hardware type 1 (Ethernet): often the
    /// device's burned-in MAC, even when it uses a private MAC on the wire.
    public var duidLinkLayerAddress: MACAddress? {
        guard let duid, let type = duidType, duid.count >= 4 else { return nil }
        let hardware = UInt16(duid[2]) << 8 | UInt16(duid[3])
        guard hardware == 1 else { return nil }
        let offset = type == 1 ? 8 : type == 3 ? 4 : -1
        guard offset > 0, duid.count == offset + 6 else { return nil }
        return MACAddress(octets: duid[offset..<(offset + 6)])
    }

    /// The ORO as comma-separated text, e.g. `23,24,39,82`.
    public var optionRequestText: String { commaSeparatedDecimal(optionRequest) }
}

/// A TCP SYN's passive-OS signature (the fields p0f reads): what the sender's TCP stack chose.
public struct TCPSignature: Sendable, Hashable {
    /// 4 or 6.
    public var ipVersion: UInt8
    /// IP TTL / hop limit as received.
    public var ttl: UInt8
    /// IPv4 don't-fragment bit.
    public var dontFragment: Bool
    public var window: UInt16
    /// Option kinds in wire order (RFC 9293 §3.1): 2 MSS, 3 window scale, 4 SACK permitted, 8 timestamps, 1 NOP, 0 EOL.
    public var options: [UInt8]
    public var mss: UInt16?
    public var windowScale: UInt8?

    public init(
        ipVersion: UInt8, ttl: UInt8, dontFragment: Bool, window: UInt16, options: [UInt8], mss: UInt16? = nil,
        windowScale: UInt8? = nil
    ) {
        self.ipVersion = ipVersion
        self.ttl = ttl
        self.dontFragment = dontFragment
        self.window = window
        self.options = options
        self.mss = mss
        self.windowScale = windowScale
    }

    /// The initial TTL the sender most likely used: the next of 32, 64, 128, 255 at or above `ttl`.
    public var initialTTL: UInt8 {
        for candidate: UInt8 in [32, 64, 128] where ttl <= candidate { return candidate }
        return 255
    }

    /// A p0f-style text form: `ver:ittl:mss:window,wscale:options:quirks`, e.g.
    /// `4:64:1460:65535,6:mss,nop,ws,nop,nop,ts,sok,eol:df`.
    public var signature: String {
        let names: [UInt8: String] = [0: "eol", 1: "nop", 2: "mss", 3: "ws", 4: "sok", 8: "ts"]
        let options = self.options.map { names[$0] ?? "?\($0)" }.joined(separator: ",")
        let mssText = mss.map(String.init) ?? "*"
        let scale = windowScale.map(String.init) ?? "*"
        return "\(ipVersion):\(initialTTL):\(mssText):\(window),\(scale):\(options):\(dontFragment ? "df" : "")"
    }
}

/// What a TLS ClientHello reveals (RFC 8446 §4.1.2) and its JA4 fingerprint.
public struct TLSClientFingerprint: Sendable, Hashable {
    /// JA4 TLS-client fingerprint (`t13d1516h2_8daaf6152771_02713d6af862`).
    public var ja4: String
    /// server_name (RFC 6066 §3), when present.
    public var serverName: String?
    /// ALPN protocol names in order (RFC 7301).
    public var alpn: [String]

    public init(ja4: String, serverName: String? = nil, alpn: [String] = []) {
        self.ja4 = ja4
        self.serverName = serverName
        self.alpn = alpn
    }
}

/// An HTTP/1.x request head the device sent (RFC 9112 §3).
public struct HTTPClientFingerprint: Sendable, Hashable {
    public var userAgent: String?
    public var host: String?

    public init(userAgent: String? = nil, host: String? = nil) {
        self.userAgent = userAgent
        self.host = host
    }
}

/// Hardware/software inventory a device states about itself: LLDP-MED inventory TLVs (ANSI/TIA-1057
/// §10.2.6) or CDP platform/version.
public struct DeviceInventory: Sendable, Hashable {
    public var via: DiscoveryProtocol
    public var manufacturer: String?
    public var model: String?
    public var hardwareRevision: String?
    public var firmwareRevision: String?
    public var softwareRevision: String?
    /// LLDP-MED device class (1–3 endpoint, 4 network connectivity), when sent.
    public var medDeviceClass: UInt8?

    public init(
        via: DiscoveryProtocol, manufacturer: String? = nil, model: String? = nil, hardwareRevision: String? = nil,
        firmwareRevision: String? = nil, softwareRevision: String? = nil, medDeviceClass: UInt8? = nil
    ) {
        self.via = via
        self.manufacturer = manufacturer
        self.model = model
        self.hardwareRevision = hardwareRevision
        self.firmwareRevision = firmwareRevision
        self.softwareRevision = softwareRevision
        self.medDeviceClass = medDeviceClass
    }
}

/// An ICMPv6 router advertisement (RFC 4861 §4.2) the device sent.
public struct RouterAdvertisement: Sendable, Hashable {
    /// Router lifetime in seconds; 0 means "not a default router".
    public var routerLifetime: UInt16
    /// Prefixes from prefix-information options, as `2001:db8::/64`.
    public var prefixes: [String]
    /// M and O flags.
    public var managed: Bool
    public var otherConfiguration: Bool

    public init(
        routerLifetime: UInt16, prefixes: [String] = [], managed: Bool = false, otherConfiguration: Bool = false
    ) {
        self.routerLifetime = routerLifetime
        self.prefixes = prefixes
        self.managed = managed
        self.otherConfiguration = otherConfiguration
    }
}
