/// What changed in the inventory as a result of one `record`/`count`/`classify`/`expire` call: what
/// downstream stages (the classifier, the detectors, history) consume instead of re-reading devices.
public enum InventoryChange: Sendable, Hashable {
    /// A MAC seen for the first time (since it was last expired).
    case created(MACAddress, time: Timestamp)
    /// The device's evidence changed: a fact it had not given before (not a repeat). What the
    /// classifier reclassifies on.
    case updated(MACAddress, time: Timestamp)
    /// An identity field of a known device changed value (`from` is nil the first time it is set).
    case identityChanged(MACAddress, field: IdentityField, from: String?, to: String, time: Timestamp)
    /// A device used or was given an address; `previousHolder` is the MAC that held it before (nil if
    /// none). Reported when the holder changes, not on every sighting.
    case addressClaimed(IPAddress, by: MACAddress, previousHolder: MACAddress?, time: Timestamp)
    /// The device left the inventory (not seen within the time to live).
    case expired(MACAddress, time: Timestamp)

    /// The device this change is about (the claimant for an address).
    public var mac: MACAddress {
        switch self {
        case .created(let mac, _), .updated(let mac, _), .identityChanged(let mac, _, _, _, _), .expired(let mac, _):
            return mac
        case .addressClaimed(_, let mac, _, _): return mac
        }
    }

    public var time: Timestamp {
        switch self {
        case .created(_, let time), .updated(_, let time), .identityChanged(_, _, _, _, let time),
            .addressClaimed(_, _, _, let time),
            .expired(_, let time):
            return time
        }
    }
}

/// Identity fields whose changes the registry reports. Raw values are stored in history.
public enum IdentityField: String, Sendable, Hashable, CaseIterable, Comparable {
    case hostname
    /// DHCP option 55 as text.
    case dhcpFingerprint = "dhcp_fingerprint"
    /// DHCP option 60.
    case dhcpVendorClass = "dhcp_vendor_class"
    /// DHCPv6 option request list as text.
    case dhcpv6Fingerprint = "dhcpv6_fingerprint"
    /// The p0f-style signature of the device's latest TCP SYN.
    case tcpSignature = "tcp_signature"
    /// Classification, set by the classifier.
    case type, os, model, manufacturer

    public static func < (a: IdentityField, b: IdentityField) -> Bool { a.rawValue < b.rawValue }
}
