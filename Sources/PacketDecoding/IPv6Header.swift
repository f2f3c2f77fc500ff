import LanscopeCore

/// An IPv6 header (RFC 8200) and its extension-header chain, walked up to a fixed bound.
public struct IPv6Header: Sendable {
    public var payloadLength: Int
    public var hopLimit: UInt8
    public var source: IPv6Address
    public var destination: IPv6Address
    /// The Next Header value after the extension headers: the upper-layer protocol.
    public var upperLayerProtocol: UInt8 = 0
    /// A fragment header with a non-zero offset: the upper-layer header is in another fragment.
    public var isNonFirstFragment: Bool = false
    /// Extension header types crossed, in order, packed into bytes so the walk never allocates.
    private var extensionChain: UInt64 = 0
    public private(set) var extensionHeaderCount: Int = 0

    /// Longer chains are rejected: a legitimate packet carries a handful at most, and the walk
    /// must stay bounded whatever the input.
    public static let maximumExtensionHeaders = 8

    public var extensionHeaders: [UInt8] {
        (0..<extensionHeaderCount).map { UInt8(truncatingIfNeeded: extensionChain >> (8 * UInt64($0))) }
    }

    /// Reads the header and extension headers; leaves `reader` limited to the upper-layer payload.
    public init(from reader: inout ByteReader) throws(DecodeError) {
        let start = reader.offset
        let first = try reader.readUInt32()
        guard first >> 28 == 6 else { throw .invalidValue(field: "IPv6 version", value: Int(first >> 28)) }
        payloadLength = Int(try reader.readUInt16())
        var next = try reader.readUInt8()
        hopLimit = try reader.readUInt8()
        source = try reader.readIPv6()
        destination = try reader.readIPv6()
        // A zero payload length with a hop-by-hop header is a jumbogram (RFC 2675): use what was captured.
        let available = reader.bytes.count - start - 40
        let limit = payloadLength == 0 && next == 0 ? available : min(payloadLength, available)
        reader = try reader.subReader(max(0, limit))

        while true {
            switch next {
            case 0, 43, 60:  // hop-by-hop, routing, destination options: (len + 1) * 8 bytes
                try recordExtension(next)
                next = try reader.readUInt8()
                let length = (Int(try reader.readUInt8()) + 1) * 8
                try reader.skip(length - 2)
            case 44:  // fragment: fixed 8 bytes
                try recordExtension(next)
                next = try reader.readUInt8()
                _ = try reader.readUInt8()
                let offsetFlags = try reader.readUInt16()
                try reader.skip(4)
                if offsetFlags >> 3 != 0 {
                    isNonFirstFragment = true
                    upperLayerProtocol = next
                    return
                }
            case 51:  // authentication header: (len + 2) * 4 bytes (RFC 4302)
                try recordExtension(next)
                next = try reader.readUInt8()
                let length = (Int(try reader.readUInt8()) + 2) * 4
                try reader.skip(length - 2)
            default:
                upperLayerProtocol = next
                return
            }
        }
    }

    private mutating func recordExtension(_ type: UInt8) throws(DecodeError) {
        guard extensionHeaderCount < Self.maximumExtensionHeaders else {
            throw .invalidLength(field: "IPv6 extension header chain", value: extensionHeaderCount + 1)
        }
        extensionChain |= UInt64(type) << (8 * UInt64(extensionHeaderCount))
        extensionHeaderCount += 1
    }
}
