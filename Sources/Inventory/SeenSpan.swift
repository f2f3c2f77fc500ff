import LanscopeCore

/// A device's first and last sighting as the registry's counting path keeps them (see
/// `DeviceRegistry`): apart from the `Device`, so counting a frame writes 16 bytes in a dense array.
struct SeenSpan: Sendable {
    var first: Timestamp
    var last: Timestamp

    init(_ device: Device) {
        first = device.firstSeen
        last = device.lastSeen
    }

    mutating func touch(_ time: Timestamp) {
        if time > last { last = time }
        if time < first { first = time }
    }

    /// True when folding would change `device`.
    func differs(from device: Device) -> Bool { first < device.firstSeen || last > device.lastSeen }

    /// Widens the device's sighting window to include this span's.
    func fold(into device: inout Device) {
        if last > device.lastSeen { device.lastSeen = last }
        if first < device.firstSeen { device.firstSeen = first }
    }
}

extension DiscoveryProtocol {
    /// This protocol's bit in a device's protocol bit set (`DeviceRegistry`); 20 cases fit a `UInt32`.
    var bit: UInt32 {
        switch self {
        case .ethernet: 1 << 0
        case .arp: 1 << 1
        case .ipv4: 1 << 2
        case .ipv6: 1 << 3
        case .udp: 1 << 4
        case .tcp: 1 << 5
        case .icmpv6: 1 << 6
        case .dhcp: 1 << 7
        case .dhcpv6: 1 << 8
        case .dns: 1 << 9
        case .mdns: 1 << 10
        case .ssdp: 1 << 11
        case .lldp: 1 << 12
        case .cdp: 1 << 13
        case .nbns: 1 << 14
        case .ndp: 1 << 15
        case .tls: 1 << 16
        case .http: 1 << 17
        case .wsd: 1 << 18
        case .ubnt: 1 << 19
        }
    }
}
