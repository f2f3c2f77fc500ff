import LanscopeCore

/// A Cisco Discovery Protocol packet (after its LLC/SNAP header): version, TTL, checksum, then
/// TLVs with 16-bit type and a 16-bit length that includes the 4-byte TLV header.
public struct CDPPacket: Sendable, Hashable {
    public var version: UInt8
    /// TLV 0x0001.
    public var deviceID: String?
    /// TLV 0x0005.
    public var softwareVersion: String?
    /// TLV 0x0006.
    public var platform: String?
    /// IPv4 addresses (NLPID protocol 0xCC) from the Addresses (0x0002) and Management Addresses
    /// (0x0016) TLVs, which share one layout.
    public var addresses: [IPv4Address] = []

    /// Platform (model) and software version as an inventory, when either was sent.
    public var inventory: DeviceInventory? {
        guard platform?.isEmpty == false || softwareVersion?.isEmpty == false else { return nil }
        return DeviceInventory(
            via: .cdp, model: platform.flatMap { $0.isEmpty ? nil : $0 },
            softwareRevision: softwareVersion.flatMap { $0.isEmpty ? nil : $0 })
    }

    static let maximumTLVs = 256
    static let maximumAddresses = 32

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        version = try reader.readUInt8()
        guard version == 1 || version == 2 else { throw .invalidValue(field: "CDP version", value: Int(version)) }
        try reader.skip(3)  // TTL, checksum
        var count = 0
        while !reader.isAtEnd {
            count += 1
            guard count <= Self.maximumTLVs else { throw .invalidLength(field: "CDP TLV count", value: count) }
            let type = try reader.readUInt16()
            let length = Int(try reader.readUInt16())
            guard length >= 4 else { throw .invalidLength(field: "CDP TLV", value: length) }
            var value = try reader.subReader(length - 4)
            switch type {
            case 0x0001: deviceID = WireText.string(value.readRemaining(), limit: WireText.maximumNameBytes)
            case 0x0005: softwareVersion = WireText.string(value.readRemaining())
            case 0x0006: platform = WireText.string(value.readRemaining())
            case 0x0002, 0x0016: try readAddresses(&value)
            default: break
            }
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> CDPPacket in try CDPPacket(parsing: buffer) }
    }

    private mutating func readAddresses(_ value: inout ByteReader) throws(DecodeError) {
        let declared = Int(try value.readUInt32())
        for _ in 0..<min(declared, Self.maximumAddresses) {
            let protocolType = try value.readUInt8()
            let protocolLength = Int(try value.readUInt8())
            var protocolID = try value.subReader(protocolLength)
            let addressLength = Int(try value.readUInt16())
            var address = try value.subReader(addressLength)
            // NLPID (type 1) 0xCC is IPv4.
            if protocolType == 1, protocolLength == 1, try protocolID.readUInt8() == 0xCC, addressLength == 4 {
                let ip = try address.readIPv4()
                if !addresses.contains(ip) { addresses.append(ip) }
            }
        }
    }
}
