public import LanscopeCore

/// Which MACs carry which stable client identities — DHCP client identifier (RFC 2132 §9.14, when it is
/// not just the MAC itself), DHCPv6 DUID (RFC 8415 §11), hostname together with DHCP vendor class, mDNS
/// host name — so a private (locally administered, randomised) MAC can be linked to the device it
/// belongs to. Bounded: past `capacity` identities, new ones are refused and counted.
public struct PrivateMACIndex: Sendable {
    /// Identities held at most. Default 65,536.
    public let capacity: Int
    /// MACs remembered per identity; an identity more than one other MAC shares is ambiguous and links
    /// nothing (a generic hostname such as `iPhone`). Default 4.
    public static let holdersPerIdentity = 4
    private var holders: [Identity: [MACAddress]] = [:]
    private var identitiesByMAC: [MACAddress: [Identity]] = [:]
    public private(set) var dropped: UInt64 = 0

    public init(capacity: Int = 65_536) { self.capacity = capacity }

    public var count: Int { holders.count }

    struct Identity: Hashable, Comparable {
        /// `dhcp_client_id`, `dhcpv6_duid`, `hostname_vendor_class`, `mdns_hostname`.
        var signal: String
        var value: String
        /// How strongly sharing it says "same device" (a probability-like weight in (0, 1)).
        var strength: Double
        static func < (a: Identity, b: Identity) -> Bool { (a.signal, a.value) < (b.signal, b.value) }
    }

    /// A device's identities, sorted.
    static func identities(of device: Device) -> [Identity] {
        var result: Set<Identity> = []
        if let id = device.dhcp?.clientIdentifier, !id.isEmpty {
            // Type 1 + the frame's own MAC identifies nothing beyond the MAC (RFC 2132 §9.14).
            let isOwnMAC = id.count == 7 && id[0] == 1 && MACAddress(octets: id[1...]) == device.mac
            if !isOwnMAC { result.insert(Identity(signal: "dhcp_client_id", value: hex(id), strength: 0.9)) }
        }
        if let duid = device.dhcpv6?.duid, duid.count >= 4 {
            result.insert(Identity(signal: "dhcpv6_duid", value: hex(duid), strength: 0.9))
        }
        if let name = device.hostnames[.dhcp] ?? device.hostname, let vendor = device.dhcp?.vendorClass, !name.isEmpty {
            result.insert(
                Identity(signal: "hostname_vendor_class", value: name.lowercased() + " | " + vendor, strength: 0.6))
        }
        if let name = device.hostnames[.mdns], !name.isEmpty {
            result.insert(Identity(signal: "mdns_hostname", value: name.lowercased(), strength: 0.6))
        }
        return result.sorted()
    }

    /// Records (replacing) the identities `device` carries now.
    public mutating func update(_ device: Device) {
        let identities = Self.identities(of: device)
        if identitiesByMAC[device.mac] == identities { return }
        remove(device.mac)
        var kept: [Identity] = []
        for identity in identities {
            if holders[identity] == nil && holders.count >= capacity {
                dropped &+= 1
                continue
            }
            var macs = holders[identity] ?? []
            guard macs.count < Self.holdersPerIdentity else { continue }
            macs.append(device.mac)
            holders[identity] = macs
            kept.append(identity)
        }
        if !kept.isEmpty { identitiesByMAC[device.mac] = kept }
    }

    public mutating func remove(_ mac: MACAddress) {
        guard let identities = identitiesByMAC.removeValue(forKey: mac) else { return }
        for identity in identities {
            var macs = holders[identity] ?? []
            macs.removeAll { $0 == mac }
            holders[identity] = macs.isEmpty ? nil : macs
        }
    }

    /// Least combined confidence for a link. Default 0.5: one strong identity (client id, DUID) or two
    /// medium ones (hostname + vendor class and mDNS name) are enough; one medium one is.
    public static let minimumConfidence = 0.5

    /// The MAC a private `device` most likely belongs to, with the evidence; nil for a universally
    /// administered MAC or when nothing (unambiguous) links it. `isKnown` says whether a MAC named inside
    /// the device's DHCP client identifier or DUID is a device the inventory holds.
    public func link(for device: Device, isKnown: (MACAddress) -> Bool = { _ in false }) -> PrivateMACLink? {
        guard device.isLocallyAdministered else { return nil }
        var candidates: [MACAddress: [ClassificationEvidence]] = [:]
        func support(_ mac: MACAddress, _ signal: String, _ value: String, _ weight: Double) {
            guard mac != device.mac else { return }
            candidates[mac, default: []].append(
                ClassificationEvidence(signal: signal, value: value, rule: "link.\(signal)", weight: weight))
        }
        for identity in Self.identities(of: device) {
            let others = (holders[identity] ?? []).filter { $0 != device.mac }
            guard others.count == 1 else { continue }
            support(others[0], identity.signal, identity.value, identity.strength)
        }
        // A client identifier of type 1 or a DUID-LL(T) naming another MAC names the hardware address
        // directly (RFC 2132 §9.14, RFC 8415 §11.2/§11.4): often the burned-in MAC of the same device.
        if let id = device.dhcp?.clientIdentifier, id.count == 7, id[0] == 1, let named = MACAddress(octets: id[1...]),
            named != device.mac, identitiesByMAC[named] != nil || isKnown(named)
        {
            support(named, "dhcp_client_id_mac", named.description, 0.8)
        }
        if let named = device.dhcpv6?.duidLinkLayerAddress, named != device.mac,
            identitiesByMAC[named] != nil || isKnown(named)
        {
            support(named, "dhcpv6_duid_mac", named.description, 0.8)
        }
        var best: PrivateMACLink?
        for (mac, evidence) in candidates.sorted(by: { $0.key < $1.key }) {
            let confidence = 1 - evidence.reduce(1.0) { $0 * (1 - $1.weight) }
            let rounded = (confidence * 1000).rounded() / 1000
            guard rounded >= Self.minimumConfidence else { continue }
            let better: Bool
            if let current = best {
                // Prefer the more certain link, then a universally administered (burned-in) MAC.
                better =
                    rounded > current.confidence
                    || (rounded == current.confidence && !mac.isLocallyAdministered
                        && current.mac.isLocallyAdministered)
            } else {
                better = true
            }
            if better { best = PrivateMACLink(mac: mac, confidence: rounded, evidence: evidence.sorted()) }
        }
        return best
    }

    private static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes.prefix(64) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return text
    }
}
