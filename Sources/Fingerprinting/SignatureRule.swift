/// One line of a signature file: when `signal` carries a value that `match`es `pattern`, the device
/// gains evidence of `weight` for each of `conclusions`. Format and vocabulary: `Signatures/README.md`.
public struct SignatureRule: Sendable, Hashable {
    /// Unique across every loaded file; a later file's rule with the same id replaces the earlier one.
    public var id: String
    public var signal: Signal
    public var match: Match
    /// Lowercased; compared with the lowercased observed value.
    public var pattern: String
    public var conclusions: [Conclusion]
    /// Evidence weight (≥ 0; 0 disables the rule). Roughly: 0.5 a prior, 1–2 a hint, 3–5 a statement.
    public var weight: Double
    /// `file:line` the rule came from, for diagnostics.
    public var origin: String

    public init(
        id: String, signal: Signal, match: Match, pattern: String, conclusions: [Conclusion], weight: Double,
        origin: String = ""
    ) {
        self.id = id
        self.signal = signal
        self.match = match
        self.pattern = pattern
        self.conclusions = conclusions
        self.weight = weight
        self.origin = origin
    }

    /// How a pattern is compared with an observed value (both lowercased).
    public enum Match: String, Sendable, Hashable, CaseIterable {
        case exact, prefix, suffix, contains
        /// Every value of the signal (pattern must be `*`): for rules that copy the value (`model=$value`).
        case any
    }

    /// The field a conclusion sets and the value it gives it.
    public struct Conclusion: Sendable, Hashable {
        public var field: Field
        public var value: Value
        public init(field: Field, value: Value) {
            self.field = field
            self.value = value
        }
    }

    public enum Field: String, Sendable, Hashable, CaseIterable, Comparable {
        case type, os, osVersion = "os_version", model, manufacturer
        public static func < (a: Field, b: Field) -> Bool { a.rawValue < b.rawValue }
        /// By case: the default for a `String`-backed enum hashes the name (a tally keys on fields).
        public func hash(into hasher: inout Hasher) {
            switch self {
            case .type: hasher.combine(0)
            case .os: hasher.combine(1)
            case .osVersion: hasher.combine(2)
            case .model: hasher.combine(3)
            case .manufacturer: hasher.combine(4)
            }
        }
    }

    /// A literal, or part of the observed value (original case, trimmed).
    public enum Value: Sendable, Hashable {
        case literal(String)
        /// `$value`: the whole observed value.
        case observed
        /// `$rest`: what follows the matched pattern.
        case rest
        /// `$word`: what follows the matched pattern (after any spaces) up to the next space, `;`, `:`, `,`, `/`, `(` or `)`.
        case word
    }

    /// The value a conclusion gives for an observed value the rule matched (nil when empty).
    func resolve(_ value: Value, observed: String, matchEnd: String.Index?) -> String? {
        let text: Substring
        switch value {
        case .literal(let literal): return literal
        case .observed: text = Substring(observed)
        case .rest:
            text = matchEnd.map { observed[$0...] } ?? Substring(observed)
        case .word:
            let rest = (matchEnd.map { observed[$0...] } ?? Substring(observed)).drop { $0.isWhitespace }
            text = rest.prefix { !" ;:,/()".contains($0) }
        }
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { return nil }
        return String(trimmed.prefix(SignatureRule.maximumValueLength))
    }

    /// Longest value a rule copies into a conclusion or evidence, in characters.
    public static let maximumValueLength = 96
}

/// The signals a rule can test. Raw values are what signature files say.
public enum Signal: String, Sendable, Hashable, CaseIterable, Comparable {
    /// IEEE registry organisation name of the MAC's block.
    case oui
    /// Any name the device gives itself (DHCP, mDNS, NBNS, LLDP...).
    case hostname
    /// DHCPv4 option 55 as `1,3,6,15` (RFC 2132 §9.8).
    case dhcpOptions = "dhcp_options"
    /// DHCPv4 option 60, vendor class identifier (RFC 2132 §9.13).
    case dhcpVendor = "dhcp_vendor"
    /// DHCPv6 option request option as `23,24,39` (RFC 8415 §21.7).
    case dhcpv6Options = "dhcpv6_options"
    /// DHCPv6 vendor class data (RFC 8415 §21.16).
    case dhcpv6Vendor = "dhcpv6_vendor"
    /// DHCPv6 vendor-class or DUID-EN enterprise number, decimal (IANA private enterprise numbers).
    case dhcpv6Enterprise = "dhcpv6_enterprise"
    /// DNS-SD service type the device advertises, `_ipp._tcp`.
    case mdnsService = "mdns_service"
    /// DNS-SD TXT entry as `key=value` (key lowercased).
    case mdnsTXT = "mdns_txt"
    /// DNS-SD instance name.
    case mdnsInstance = "mdns_instance"
    /// SSDP SERVER / USER-AGENT header.
    case ssdpServer = "ssdp_server"
    /// SSDP NT/ST the device announces (device or service type URN).
    case ssdpType = "ssdp_type"
    /// SSDP USN.
    case ssdpUSN = "ssdp_usn"
    /// WS-Discovery type the device implements, local name (`NetworkVideoTransmitter`, `PrintDeviceType`).
    case wsdType = "wsd_type"
    /// WS-Discovery scope URI the device announces (`onvif://www.onvif.org/hardware/MODEL`).
    case wsdScope = "wsd_scope"
    /// The firmware build a device states in Ubiquiti discovery (TLV 3), whose first part names the firmware
    /// family: `EdgeRouter.ER-e50.v2.0.9…`, `BZ.qca956x.v4.3.28…`, `XW.ar934x.v6.1.7…`.
    case ubntFirmware = "ubnt_firmware"
    /// LLDP system description or CDP platform/version.
    case systemDescription = "system_description"
    /// LLDP-MED / CDP stated manufacturer and model.
    case inventoryManufacturer = "inventory_manufacturer"
    case inventoryModel = "inventory_model"
    /// Initial TTL of the device's TCP SYNs (32, 64, 128, 255).
    case tcpTTL = "tcp_ttl"
    /// p0f-style TCP SYN signature (`TCPSignature.signature`).
    case tcpSYN = "tcp_syn"
    /// A TCP port the device accepts connections on (it answered a SYN with a SYN-ACK), decimal: `631`.
    case tcpPort = "tcp_port"
    /// JA4 TLS client fingerprint.
    case ja4
    /// HTTP User-Agent.
    case userAgent = "user_agent"
    /// A name the device looked up or connected to (DNS query, TLS SNI, HTTP Host).
    case dns
    /// A word that may name the product, from wherever the device states a name or model: its hostnames,
    /// DHCP vendor class, DNS-SD instance names and model TXT values, SSDP device types and SERVER products,
    /// LLDP/CDP and Ubiquiti discovery model, ONVIF hardware scope, User-Agents. Split at spaces and
    /// punctuation (`DCS-935L`, `HS100`, `shellyplug-s-7C87CE`), so one rule on a documented product line
    /// covers every place it appears.
    case product
    /// What the device does on the network: `dhcp_server`, and what its DHCP replies said of it
    /// (`dhcp_gateway`, `dhcp_relay`, `dhcp_separate`: `DHCPServerRole`), `ipv6_router`, `lldp_sender`,
    /// `cdp_sender`, `lldp_med_class_N`, `ubnt_sender` (it announced itself over Ubiquiti discovery).
    case role

    /// Position in raw-value order: `<` and hashing by case, without comparing or hashing the names
    /// (the classifier sorts and looks up every signal value of a device it reclassifies).
    var rank: Int {
        switch self {
        case .oui: 13
        case .hostname: 6
        case .dhcpOptions: 0
        case .dhcpVendor: 1
        case .dhcpv6Options: 3
        case .dhcpv6Vendor: 4
        case .dhcpv6Enterprise: 2
        case .mdnsService: 11
        case .mdnsTXT: 12
        case .mdnsInstance: 10
        case .ssdpServer: 16
        case .ssdpType: 17
        case .ssdpUSN: 18
        case .wsdType: 26
        case .wsdScope: 25
        case .ubntFirmware: 23
        case .systemDescription: 19
        case .inventoryManufacturer: 7
        case .inventoryModel: 8
        case .tcpTTL: 22
        case .tcpSYN: 21
        case .tcpPort: 20
        case .ja4: 9
        case .userAgent: 24
        case .dns: 5
        case .product: 14
        case .role: 15
        }
    }
    public static func < (a: Signal, b: Signal) -> Bool { a.rank < b.rank }

    public func hash(into hasher: inout Hasher) { hasher.combine(rank) }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        // Most values start and end with a printable ASCII character: nothing to trim, and no Unicode
        // property lookup per character.
        if let first = utf8.first, let last = utf8.last, (0x21..<0x80).contains(first), (0x21..<0x80).contains(last) {
            return self
        }
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
