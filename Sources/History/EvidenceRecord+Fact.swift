public import LanscopeCore

extension EvidenceRecord {
    /// The (kind, source, value) key a fact is stored under. Values are stable text so that the
    /// same fact seen again (or replayed) lands on the same row:
    /// - `address` → `192.168.1.20`, `fe80::1`
    /// - `hostname`, `searching`, `software` → the text as heard
    /// - `dhcpClient` → `55=1,3,6;57=1500;60=android-dhcp-13;61=01aabbccddeeff`: the options that
    ///   identify the client software (RFC 2132 numbers; absent ones left out). The message type
    ///   (53) and requested address (50) change between DISCOVER/REQUEST and from lease to lease,
    ///   so they are not part of the value.
    /// - `dhcpServer` → `54=192.168.1.1` (server identifier; `54=` when the reply had none)
    /// - `service` → `type|name|port` (empty field when absent)
    public static func key(of fact: Fact) -> (kind: EvidenceKind, source: DiscoveryProtocol, value: String) {
        switch fact {
        case .address(let ip, let via):
            return (.address, via, ip.description)
        case .hostname(let name, let via):
            return (.hostname, via, name)
        case .dhcpClient(let fingerprint):
            var parts = ["55=\(fingerprint.parameterRequestListText)"]
            if let size = fingerprint.maxMessageSize { parts.append("57=\(size)") }
            if let vendorClass = fingerprint.vendorClass { parts.append("60=\(vendorClass)") }
            if let clientID = fingerprint.clientIdentifier { parts.append("61=\(Hex.string(clientID))") }
            return (.dhcpClient, .dhcp, parts.joined(separator: ";"))
        case .dhcpServer(let serverIdentifier, _, _, _):
            return (.dhcpServer, .dhcp, "54=\(serverIdentifier?.description ?? "")")
        case .service(let ad):
            return (.service, ad.via, "\(ad.type)|\(ad.name ?? "")|\(ad.port.map(String.init) ?? "")")
        case .searching(let target, let via):
            return (.searching, via, target)
        case .software(let text, let via):
            return (.software, via, text)
        case .dhcpv6Client(let fingerprint):
            // RFC 8415 option numbers: 6 ORO, 16 vendor class (enterprise/data), 39 FQDN, 1 client DUID.
            var parts = ["6=\(fingerprint.optionRequestText)"]
            if let enterprise = fingerprint.vendorEnterprise {
                parts.append("16=\(enterprise)/\(fingerprint.vendorClass ?? "")")
            }
            if let fqdn = fingerprint.fqdn { parts.append("39=\(fqdn)") }
            if let duid = fingerprint.duid { parts.append("1=\(Hex.string(duid))") }
            return (.dhcpv6Client, .dhcpv6, parts.joined(separator: ";"))
        case .tcpSignature(let signature):
            return (.tcpSignature, .tcp, signature.signature)
        case .dnsQuery(let name):
            return (.dnsQuery, .dns, name)
        case .tlsClient(let hello):
            return (.tlsClient, .tls, "\(hello.ja4)|\(hello.serverName ?? "")|\(hello.alpn.joined(separator: ","))")
        case .httpClient(let head):
            return (.httpClient, .http, "\(head.userAgent ?? "")|\(head.host ?? "")")
        case .inventory(let stated):
            let fields = [
                stated.manufacturer, stated.model, stated.hardwareRevision, stated.firmwareRevision,
                stated.softwareRevision,
            ]
            return (.inventory, stated.via, fields.map { $0 ?? "" }.joined(separator: "|"))
        case .routerAdvertisement(let ad):
            return (
                .routerAdvertisement, .ndp,
                "lifetime=\(ad.routerLifetime);prefixes=\(ad.prefixes.joined(separator: ","))"
            )
        }
    }
}
