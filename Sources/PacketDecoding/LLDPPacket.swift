import LanscopeCore

/// An LLDP data unit (IEEE 802.1AB §8): TLVs with a 7-bit type and 9-bit length, ending with the
/// End TLV. Keeps what identifies the sender: system name and description, chassis and port IDs,
/// and management addresses.
public struct LLDPPacket: Sendable, Hashable {
    public var chassisID: [UInt8]?
    public var portID: [UInt8]?
    /// TLV 5.
    public var systemName: String?
    /// TLV 6.
    public var systemDescription: String?
    /// TLV 8 addresses of subtype 1 (IPv4) and 2 (IPv6).
    public var managementAddresses: [IPAddress] = []
    /// LLDP-MED (ANSI/TIA-1057, organizationally specific TLV 127 with the TIA OUI 00-12-BB):
    /// device class from the capabilities TLV (subtype 1), inventory TLVs (subtypes 5–7, 9, 10).
    /// Serial number (8) and asset ID (11) are not kept: they identify an item, not a kind of device.
    public var medDeviceClass: UInt8?
    public var hardwareRevision: String?
    public var firmwareRevision: String?
    public var softwareRevision: String?
    public var manufacturer: String?
    public var model: String?

    /// The LLDP-MED inventory, when any of its fields was sent.
    public var inventory: DeviceInventory? {
        let inventory = DeviceInventory(
            via: .lldp, manufacturer: manufacturer, model: model, hardwareRevision: hardwareRevision,
            firmwareRevision: firmwareRevision, softwareRevision: softwareRevision, medDeviceClass: medDeviceClass)
        return inventory == DeviceInventory(via: .lldp) ? nil : inventory
    }

    static let tiaOUI: UInt32 = 0x0012BB
    /// Inventory strings are at most 32 octets (ANSI/TIA-1057 §10.2.6); longer ones are kept up to
    /// a name's length rather than cut mid-model.
    static let maximumInventoryBytes = WireText.maximumNameBytes

    /// An LLDPDU fits one frame, and each TLV is at least two bytes; this bounds the walk anyway.
    static let maximumTLVs = 512

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        var count = 0
        while !reader.isAtEnd {
            count += 1
            guard count <= Self.maximumTLVs else { throw .invalidLength(field: "LLDP TLV count", value: count) }
            let header = try reader.readUInt16()
            let type = header >> 9
            let length = Int(header & 0x01FF)
            var value = try reader.subReader(length)
            switch type {
            case 0:
                return
            case 1:
                guard length >= 2 else { throw .invalidLength(field: "LLDP chassis ID", value: length) }
                chassisID = Array(value.readRemaining())
            case 2:
                guard length >= 2 else { throw .invalidLength(field: "LLDP port ID", value: length) }
                portID = Array(value.readRemaining())
            case 5:
                systemName = WireText.string(value.readRemaining(), limit: WireText.maximumNameBytes)
            case 6:
                systemDescription = WireText.string(value.readRemaining())
            case 8:
                // Address string length (address subtype + address), subtype, address, then interface fields.
                let addressLength = Int(try value.readUInt8())
                guard addressLength >= 2 else {
                    throw .invalidLength(field: "LLDP management address", value: addressLength)
                }
                let subtype = try value.readUInt8()
                var address = try value.subReader(addressLength - 1)
                if subtype == 1 && addressLength == 5 {
                    managementAddresses.append(.v4(try address.readIPv4()))
                } else if subtype == 2 && addressLength == 17 {
                    managementAddresses.append(.v6(try address.readIPv6()))
                }
            case 127:
                try readOrganizationSpecific(&value)
            default:
                break
            }
        }
    }

    /// TLV 127: OUI (3 octets), subtype, information string.
    private mutating func readOrganizationSpecific(_ value: inout ByteReader) throws(DecodeError) {
        // A malformed organizationally specific TLV is skipped: the standard TLVs around it still hold.
        guard value.remaining >= 4 else { return }
        let oui = UInt32(try value.readUInt16()) << 8 | UInt32(try value.readUInt8())
        let subtype = try value.readUInt8()
        guard oui == Self.tiaOUI else { return }
        func text(_ value: inout ByteReader) -> String {
            WireText.string(value.readRemaining(), limit: Self.maximumInventoryBytes)
        }
        switch subtype {
        case 1:  // LLDP-MED capabilities: capabilities (2 octets), device type (1 octet)
            guard value.remaining == 3 else { return }
            try value.skip(2)
            medDeviceClass = try value.readUInt8()
        case 5: hardwareRevision = text(&value)
        case 6: firmwareRevision = text(&value)
        case 7: softwareRevision = text(&value)
        case 9: manufacturer = text(&value)
        case 10: model = text(&value)
        default: break
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> LLDPPacket in try LLDPPacket(parsing: buffer) }
    }
}
