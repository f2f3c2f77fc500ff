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
            default:
                break
            }
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> LLDPPacket in try LLDPPacket(parsing: buffer) }
    }
}
