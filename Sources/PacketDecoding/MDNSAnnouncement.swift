import LanscopeCore

/// What an mDNS response says about the host that sent it (RFC 6762, DNS-SD RFC 6763): its
/// `.local` names and addresses from A/AAAA records, and the services assembled from PTR
/// (type → instance), SRV (instance → host and port) and TXT (instance → key/value) records.
public struct MDNSAnnouncement: Sendable, Hashable {
    /// Owner names of A/AAAA records and SRV targets under `.local`, without the `local` label.
    public var hostnames: [String] = []
    /// Addresses from A/AAAA records owned by `.local` names.
    public var addresses: [IPAddress] = []
    /// Services in order of first mention.
    public var services: [ServiceAdvertisement] = []

    public init(message: DNSMessage) {
        var instances: [String: Int] = [:]
        var typesOnly: [String] = []
        var assembled: [ServiceAdvertisement] = []
        // Authority records appear in probes, which are queries; a response's evidence is in
        // its answer and additional sections.
        for record in message.answers + message.additionals {
            switch record.data {
            case .a(let address):
                if record.name.isLocal { addHost(record.name.withoutLocal, address: .v4(address)) }
            case .aaaa(let address):
                if record.name.isLocal { addHost(record.name.withoutLocal, address: .v6(address)) }
            case .ptr(let target):
                if Self.isServiceEnumeration(record.name) {
                    if let type = Self.serviceType(of: target, instanceLabels: 0), !typesOnly.contains(type) {
                        typesOnly.append(type)
                    }
                } else if let type = Self.serviceType(of: record.name, instanceLabels: 0, allowSubtype: true),
                    let instance = Self.instance(of: target), instance.type.lowercased() == type.lowercased()
                {
                    _ = Self.index(of: instance, in: &instances, &assembled)
                }
            case .srv(_, _, let port, let target):
                if let instance = Self.instance(of: record.name) {
                    let index = Self.index(of: instance, in: &instances, &assembled)
                    assembled[index].port = port
                    if target.isLocal { addHost(target.withoutLocal, address: nil) }
                }
            case .txt:
                if let instance = Self.instance(of: record.name) {
                    let index = Self.index(of: instance, in: &instances, &assembled)
                    if assembled[index].txt.isEmpty { assembled[index].txt = record.data.txtEntries }
                }
            case .other:
                break
            }
        }
        services = assembled
        for type in typesOnly where !assembled.contains(where: { $0.type.lowercased() == type.lowercased() }) {
            services.append(ServiceAdvertisement(via: .mdns, type: type))
        }
    }

    private mutating func addHost(_ name: String, address: IPAddress?) {
        if !name.isEmpty && !hostnames.contains(name) { hostnames.append(name) }
        if let address, !addresses.contains(address) { addresses.append(address) }
    }

    private static func index(
        of instance: (name: String, type: String, key: String), in instances: inout [String: Int],
        _ assembled: inout [ServiceAdvertisement]
    ) -> Int {
        if let existing = instances[instance.key] { return existing }
        assembled.append(ServiceAdvertisement(via: .mdns, type: instance.type, name: instance.name))
        instances[instance.key] = assembled.count - 1
        return assembled.count - 1
    }

    /// `_services._dns-sd._udp.local` (RFC 6763 §9).
    static func isServiceEnumeration(_ name: DNSName) -> Bool {
        name.key == "_services._dns-sd._udp.local"
    }

    /// `_type._tcp` from `[instance labels…].<_type>.<_tcp|_udp>.local`; with `allowSubtype`, a
    /// `<sub>._sub.` prefix is accepted in place of the instance (RFC 6763 §7.1).
    static func serviceType(of name: DNSName, instanceLabels: Int, allowSubtype: Bool = false) -> String? {
        let labels = name.labels
        guard name.isLocal, labels.count >= 3 + instanceLabels else { return nil }
        let proto = labels[labels.count - 2]
        let type = labels[labels.count - 3]
        guard proto.lowercased() == "_tcp" || proto.lowercased() == "_udp", type.hasPrefix("_") else { return nil }
        let prefix = labels.count - 3
        if instanceLabels == 0 && prefix != 0 {
            guard allowSubtype, prefix == 2, labels[1].lowercased() == "_sub" else { return nil }
        }
        return type + "." + proto
    }

    /// Splits `<instance>.<_type>.<_proto>.local` into instance and type.
    static func instance(of name: DNSName) -> (name: String, type: String, key: String)? {
        guard let type = serviceType(of: name, instanceLabels: 1) else { return nil }
        let instance = name.labels[0..<(name.labels.count - 3)].joined(separator: ".")
        let beforeType = name.labels[name.labels.count - 4].lowercased()
        guard !instance.isEmpty, beforeType != "_sub", !isServiceEnumeration(name) else { return nil }
        return (instance, type, name.key)
    }
}
