import LanscopeCore

/// An IPv4 header (RFC 791). `payload` is bounded by the total length when the capture holds it
/// all, and by the captured bytes otherwise (snap length).
public struct IPv4Header: Sendable {
    public var headerLength: Int
    public var totalLength: Int
    public var identification: UInt16
    /// Fragment offset in 8-byte units; non-zero means this fragment carries no transport header.
    public var fragmentOffset: UInt16
    public var moreFragments: Bool
    /// The don't-fragment flag (RFC 791 §3.1): part of a TCP SYN's OS signature.
    public var dontFragment: Bool
    public var ttl: UInt8
    public var protocolNumber: UInt8
    public var source: IPv4Address
    public var destination: IPv4Address

    public var isFirstFragment: Bool { fragmentOffset == 0 }

    /// Reads the header and leaves `reader` limited to the IP payload.
    public init(from reader: inout ByteReader) throws(DecodeError) {
        let start = reader.offset
        let versionIHL = try reader.readUInt8()
        guard versionIHL >> 4 == 4 else { throw .invalidValue(field: "IPv4 version", value: Int(versionIHL >> 4)) }
        headerLength = Int(versionIHL & 0x0F) * 4
        guard headerLength >= 20 else { throw .invalidLength(field: "IPv4 header", value: headerLength) }
        // The rest of the fixed header is checked once, then read in place (offsets from byte 1).
        try reader.check(19)
        totalLength = Int(reader.uncheckedUInt16(at: 1))
        // Captures taken on a host with TCP segmentation offload show a total length of 0; use the
        // captured bytes then rather than dropping the frame.
        let offloaded = totalLength == 0
        guard offloaded || totalLength >= headerLength else {
            throw .invalidLength(field: "IPv4 total", value: totalLength)
        }
        identification = reader.uncheckedUInt16(at: 3)
        let flagsFragment = reader.uncheckedUInt16(at: 5)
        moreFragments = flagsFragment & 0x2000 != 0
        dontFragment = flagsFragment & 0x4000 != 0
        fragmentOffset = flagsFragment & 0x1FFF
        ttl = reader.uncheckedUInt8(at: 7)
        protocolNumber = reader.uncheckedUInt8(at: 8)
        source = IPv4Address(rawValue: reader.uncheckedUInt32(at: 11))
        destination = IPv4Address(rawValue: reader.uncheckedUInt32(at: 15))
        reader.advanceUnchecked(19)
        try reader.skip(headerLength - 20)  // options
        let captured = reader.bytes.count - start - headerLength
        let payloadLength = offloaded ? captured : min(totalLength - headerLength, captured)
        reader = try reader.subReader(max(0, payloadLength))
    }
}
