import LanscopeCore

/// A device's first and last sighting as the registry's counting path keeps them (see
/// `DeviceRegistry`): apart from the `Device`, so counting a frame writes 16 bytes of a small per-device record.
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
    var bit: UInt32 { 1 << UInt32(ordinal) }
}
