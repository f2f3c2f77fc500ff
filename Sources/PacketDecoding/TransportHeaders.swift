import LanscopeCore

/// A UDP header (RFC 768). Reading it leaves the reader limited to the datagram payload.
public struct UDPHeader: Sendable, Hashable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var length: Int
    /// Payload bytes missing from the capture (cut by the snap length or a short IP packet).
    public var missingPayload: Int = 0

    public init(from reader: inout ByteReader) throws(DecodeError) {
        sourcePort = try reader.readUInt16()
        destinationPort = try reader.readUInt16()
        length = Int(try reader.readUInt16())
        _ = try reader.readUInt16()
        // Length 0 is legal for jumbograms only (RFC 2675); otherwise it must cover the header.
        guard length >= 8 || length == 0 else { throw .invalidLength(field: "UDP", value: length) }
        let payload = length == 0 ? reader.remaining : min(length - 8, reader.remaining)
        if length > 0 { missingPayload = length - 8 - payload }
        reader = try reader.subReader(payload)
    }
}

/// A TCP header (RFC 9293): ports, flags and data offset. Options are skipped.
public struct TCPHeader: Sendable, Hashable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgementNumber: UInt32
    public var headerLength: Int
    /// FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80.
    public var flags: UInt8
    public var window: UInt16

    public init(from reader: inout ByteReader) throws(DecodeError) {
        // The fixed header is checked once, then read in place.
        try reader.check(20)
        sourcePort = reader.uncheckedUInt16(at: 0)
        destinationPort = reader.uncheckedUInt16(at: 2)
        sequenceNumber = reader.uncheckedUInt32(at: 4)
        acknowledgementNumber = reader.uncheckedUInt32(at: 8)
        headerLength = Int(reader.uncheckedUInt8(at: 12) >> 4) * 4
        guard headerLength >= 20 else { throw .invalidLength(field: "TCP data offset", value: headerLength) }
        flags = reader.uncheckedUInt8(at: 13)
        window = reader.uncheckedUInt16(at: 14)
        reader.advanceUnchecked(20)  // checksum, urgent pointer
        // Options may be cut by the snap length; ports and flags are already known, so do not fail.
        try reader.skip(min(headerLength - 20, reader.remaining))
    }
}
