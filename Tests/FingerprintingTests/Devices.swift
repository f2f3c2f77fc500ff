import LanscopeCore

/// Constructed devices for classifier tests: each helper sets one signal the way the inventory would.
enum Devices {
    static let time = Timestamp(seconds: 1_700_000_000)

    static func make(
        _ mac: MACAddress = MACAddress(0x00, 0x11, 0x22, 0x33, 0x44, 0x55), vendor: String? = nil,
        _ configure: (inout Device) -> Void = { _ in }
    ) -> Device {
        var device = Device(mac: mac, firstSeen: time, lastSeen: time)
        device.vendor = vendor
        configure(&device)
        return device
    }

    static func mdns(_ type: String, name: String? = nil, txt: [(String, String?)] = []) -> ServiceAdvertisement {
        ServiceAdvertisement(via: .mdns, type: type, name: name, txt: txt.map { TXTEntry(key: $0.0, value: $0.1) })
    }

    static func dhcp(_ options: [UInt8], vendor: String? = nil, clientID: [UInt8]? = nil) -> DHCPClientFingerprint {
        DHCPClientFingerprint(
            messageType: 1, parameterRequestList: options, vendorClass: vendor, clientIdentifier: clientID)
    }
}
