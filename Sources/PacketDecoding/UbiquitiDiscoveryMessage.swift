import LanscopeCore

/// A Ubiquiti discovery message (UDP 10001): how UniFi access points, switches and gateways, airMAX radios
/// and EdgeMAX routers announce themselves, and answer a discovery tool's request. Ubiquiti publishes no
/// specification; the layout here is what the devices send (and what Wireshark's `ubdp` dissector reads):
///
/// - a 4-byte header: version (1 or 2), command, and the length of what follows (16 bits, big endian);
/// - then TLVs, each a 1-byte type, a 16-bit big-endian length and the value.
///
/// A request (`01 00 00 00`, what clients broadcast to find devices) has no TLVs. Version 1 is airMAX/airOS
/// and older firmware, version 2 UniFi and EdgeOS announcements; both use the same TLV types. Unknown types
/// are skipped; a TLV that runs past the message, or an address TLV of the wrong size, is an error.
public struct UbiquitiDiscoveryMessage: Sendable, Hashable {
    /// One interface of the device: its MAC and an IPv4 address on it (TLV 2).
    public struct InterfaceAddress: Sendable, Hashable {
        public var mac: MACAddress
        public var address: IPv4Address
        public init(mac: MACAddress, address: IPv4Address) {
            self.mac = mac
            self.address = address
        }
    }

    /// Header version: 1 or 2.
    public var version: UInt8
    /// Header command (0 in version 1; 6 for a version 2 announcement).
    public var command: UInt8
    /// Distinct MAC addresses the device states (TLVs 1 and 19, and those of TLV 2), in order.
    public var macAddresses: [MACAddress] = []
    /// MAC/IPv4 pairs (TLV 2), in order; a device with several interfaces or addresses sends several.
    public var addresses: [InterfaceAddress] = []
    /// TLV 11: the device's name (its configured hostname, or a radio's device name).
    public var hostname: String?
    /// TLV 3: the firmware build (`UniFiSecurityGateway.ER-e120.v4.3.33.4936086.161203.2031`,
    /// `XW.ar934x.v6.1.7.32555.180523.1754`).
    public var firmware: String?
    /// TLV 22: the firmware version alone (`4.3.33.4936086`).
    public var firmwareVersion: String?
    /// TLV 12: the platform, Ubiquiti's short model code (`UGW3`, `U7PG2`, `US24P250`, `LM5`).
    public var platform: String?
    /// TLV 21: the model code version 2 messages state (usually the platform again).
    public var model: String?
    /// TLV 20: the long model name airOS states (`NanoStation loco M5`).
    public var modelName: String?
    /// TLV 13: the wireless network a radio serves or joins.
    public var essid: String?

    /// True for a message without TLVs: a client's request, which says nothing about its sender.
    public var isRequest: Bool { tlvCount == 0 }
    /// TLVs read (known or not).
    public private(set) var tlvCount = 0

    /// A message fits one datagram; each TLV is at least 3 bytes. This bounds the walk anyway.
    static let maximumTLVs = 256
    /// Interface addresses kept (a router with many VLAN interfaces may list dozens).
    static let maximumAddresses = 32
    /// Caps for the text values, in bytes: hostnames like DNS names (RFC 1035 §2.3.4), an SSID is at most
    /// 32 octets (IEEE 802.11 §9.4.2.2), model codes and names are short; a firmware build string rarely
    /// exceeds 80 bytes.
    static let maximumNameBytes = WireText.maximumNameBytes
    static let maximumModelBytes = 64
    static let maximumModelNameBytes = 128
    static let maximumFirmwareBytes = 256
    static let maximumESSIDBytes = 32

    /// Longest message taken as Ubiquiti discovery, header included (announcements are a few hundred bytes;
    /// the kernel program applies the same bound before handing a datagram up).
    public static let maximumLength = 4096

    /// Whether a UDP payload on port 10001 starts like a Ubiquiti discovery message: version 1 or 2, and a
    /// declared length that fits the datagram (`payloadLength`, on the wire) and `maximumLength`. Port 10001
    /// is not registered to Ubiquiti (IANA lists it as `scp-config`) and other applications use it (media
    /// streams, vendor tools); their datagrams fail this test and are left alone instead of being reported
    /// as malformed discovery. `header` holds the payload's first bytes as captured (at least 4 are needed).
    public static func startsLikeOne(_ header: UnsafeRawBufferPointer, payloadLength: Int) -> Bool {
        guard header.count >= 4, header[0] == 1 || header[0] == 2 else { return false }
        let declared = 4 + (Int(header[2]) << 8 | Int(header[3]))
        return declared <= payloadLength && declared <= maximumLength
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        version = try reader.readUInt8()
        guard version == 1 || version == 2 else {
            throw .invalidValue(field: "Ubiquiti discovery version", value: Int(version))
        }
        command = try reader.readUInt8()
        let length = Int(try reader.readUInt16())
        // Bytes after the declared length (none from the devices seen) are not part of the message.
        var body = try reader.subReader(length)
        while !body.isAtEnd {
            tlvCount += 1
            guard tlvCount <= Self.maximumTLVs else {
                throw .invalidLength(field: "Ubiquiti discovery TLV count", value: tlvCount)
            }
            let type = try body.readUInt8()
            let valueLength = Int(try body.readUInt16())
            var value = try body.subReader(valueLength)
            try read(type: type, length: valueLength, &value)
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> UbiquitiDiscoveryMessage in
            try UbiquitiDiscoveryMessage(parsing: buffer)
        }
    }

    private mutating func read(type: UInt8, length: Int, _ value: inout ByteReader) throws(DecodeError) {
        switch type {
        case 1, 19:
            guard length == 6 else { throw .invalidLength(field: "Ubiquiti discovery MAC", value: length) }
            note(try value.readMAC())
        case 2:
            guard length == 10 else { throw .invalidLength(field: "Ubiquiti discovery MAC and IP", value: length) }
            let mac = try value.readMAC()
            let address = try value.readIPv4()
            note(mac)
            let pair = InterfaceAddress(mac: mac, address: address)
            if addresses.count < Self.maximumAddresses, !addresses.contains(pair) { addresses.append(pair) }
        case 3: firmware = firmware ?? Self.text(&value, limit: Self.maximumFirmwareBytes)
        case 11: hostname = hostname ?? Self.text(&value, limit: Self.maximumNameBytes)
        case 12: platform = platform ?? Self.text(&value, limit: Self.maximumModelBytes)
        case 13: essid = essid ?? Self.text(&value, limit: Self.maximumESSIDBytes)
        case 20: modelName = modelName ?? Self.text(&value, limit: Self.maximumModelNameBytes)
        case 21: model = model ?? Self.text(&value, limit: Self.maximumModelBytes)
        case 22: firmwareVersion = firmwareVersion ?? Self.text(&value, limit: Self.maximumModelBytes)
        default: break  // uptime (10), wireless mode (14), system id (16), counter (18), flags...: not identity
        }
    }

    private mutating func note(_ mac: MACAddress) {
        if macAddresses.count < Self.maximumAddresses, !macAddresses.contains(mac) { macAddresses.append(mac) }
    }

    /// A text value as other decoders read wire text (UTF-8 with replacement characters, trailing NULs
    /// dropped, capped); empty is nil.
    private static func text(_ value: inout ByteReader, limit: Int) -> String? {
        let text = WireText.string(value.readRemaining(), limit: limit)
        return text.isEmpty ? nil : text
    }

    /// The device's model as one value: the long name with the platform code after it when the device
    /// states both (`NanoStation loco M5 (LM5)`), else the platform code, else the version 2 model code.
    public var modelDescription: String? {
        let code = platform ?? model
        guard let name = modelName else { return code }
        guard let code, code != name else { return name }
        return "\(name) (\(code))"
    }

    /// What the device states about its hardware and firmware, when it states its model or firmware.
    public var inventory: DeviceInventory? {
        let model = modelDescription
        let firmware = firmwareVersion ?? firmware
        guard model != nil || firmware != nil else { return nil }
        return DeviceInventory(via: .ubnt, model: model, firmwareRevision: firmware)
    }
}
