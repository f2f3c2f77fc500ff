import LanscopeCore

/// An ARP packet for 48-bit MAC hardware addresses — hardware type 1 (Ethernet) or 6 (IEEE 802,
/// as sent over LLC/SNAP) — and IPv4 protocol addresses (RFC 826). Other hardware or protocol
/// types are rejected with `DecodeError.invalidValue`.
public struct ARPPacket: Sendable, Hashable {
    /// 1 request, 2 reply.
    public var operation: UInt16
    public var senderMAC: MACAddress
    public var senderIP: IPv4Address
    public var targetMAC: MACAddress
    public var targetIP: IPv4Address

    /// Sender and target protocol addresses agree: an announcement of the sender's own address.
    public var isGratuitous: Bool { senderIP == targetIP && !senderIP.isUnspecified }
    /// RFC 5227 probe: the sender has no address yet.
    public var isProbe: Bool { senderIP.isUnspecified }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        let hardwareType = try reader.readUInt16()
        let protocolType = try reader.readUInt16()
        let hardwareLength = try reader.readUInt8()
        let protocolLength = try reader.readUInt8()
        guard hardwareType == 1 || hardwareType == 6 else {
            throw .invalidValue(field: "ARP hardware type", value: Int(hardwareType))
        }
        guard protocolType == 0x0800 else { throw .invalidValue(field: "ARP protocol type", value: Int(protocolType)) }
        guard hardwareLength == 6 else {
            throw .invalidLength(field: "ARP hardware address", value: Int(hardwareLength))
        }
        guard protocolLength == 4 else {
            throw .invalidLength(field: "ARP protocol address", value: Int(protocolLength))
        }
        operation = try reader.readUInt16()
        senderMAC = try reader.readMAC()
        senderIP = try reader.readIPv4()
        targetMAC = try reader.readMAC()
        targetIP = try reader.readIPv4()
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> ARPPacket in try ARPPacket(parsing: buffer) }
    }
}
