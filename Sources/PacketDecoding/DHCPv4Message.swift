import LanscopeCore

/// A DHCPv4 message (RFC 2131): the BOOTP header and every option as a TLV (RFC 2132), with the
/// options lanscope fingerprints decoded into fields.
public struct DHCPv4Message: Sendable, Hashable {
    /// 1 BOOTREQUEST (client), 2 BOOTREPLY (server).
    public var op: UInt8
    public var hardwareType: UInt8
    public var hardwareLength: UInt8
    public var hops: UInt8
    public var transactionID: UInt32
    public var flags: UInt16
    public var clientAddress: IPv4Address
    public var yourAddress: IPv4Address
    public var serverAddress: IPv4Address
    public var relayAddress: IPv4Address
    /// `chaddr` as a MAC when the hardware type is Ethernet (1) with length 6.
    public var clientMAC: MACAddress?
    /// Every option in wire order, pad and end excluded.
    public var options: [DHCPOption]

    public struct DHCPOption: Sendable, Hashable {
        public var code: UInt8
        public var data: [UInt8]
        public init(code: UInt8, data: [UInt8]) {
            self.code = code
            self.data = data
        }
    }

    /// The BOOTP fixed header up to and including the magic cookie is 240 bytes.
    static let magicCookie: UInt32 = 0x6382_5363

    public init(from reader: inout ByteReader) throws(DecodeError) {
        op = try reader.readUInt8()
        guard op == 1 || op == 2 else { throw .invalidValue(field: "BOOTP op", value: Int(op)) }
        hardwareType = try reader.readUInt8()
        hardwareLength = try reader.readUInt8()
        hops = try reader.readUInt8()
        transactionID = try reader.readUInt32()
        _ = try reader.readUInt16()  // secs
        flags = try reader.readUInt16()
        clientAddress = try reader.readIPv4()
        yourAddress = try reader.readIPv4()
        serverAddress = try reader.readIPv4()
        relayAddress = try reader.readIPv4()
        var hardware = try reader.subReader(16)
        clientMAC = hardwareType == 1 && hardwareLength == 6 ? try hardware.readMAC() : nil
        try reader.skip(64 + 128)  // sname, file; option overload (52) into them is not followed
        options = []
        // Plain BOOTP carries no cookie and no options.
        if reader.isAtEnd { return }
        let cookie = try reader.readUInt32()
        guard cookie == Self.magicCookie else { throw .invalidValue(field: "DHCP magic cookie", value: Int(cookie)) }
        // Room for a client's usual options at once (the list would otherwise grow three or four times).
        options.reserveCapacity(16)
        while !reader.isAtEnd {
            let code = try reader.readUInt8()
            if code == 0 { continue }
            if code == 255 { break }
            let length = Int(try reader.readUInt8())
            guard length <= reader.remaining else {
                throw .invalidLength(field: "DHCP option", value: length)
            }
            options.append(DHCPOption(code: code, data: try reader.readBytes(length)))
        }
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> DHCPv4Message in
            try DHCPv4Message(parsing: buffer)
        }
    }

    /// The data of option `code`; several instances are concatenated (RFC 3396).
    public func option(_ code: UInt8) -> [UInt8]? {
        var result: [UInt8]?
        for option in options where option.code == code {
            // Almost always one instance: its bytes are returned as they are held, without a copy.
            if result == nil { result = option.data } else { result! += option.data }
        }
        return result
    }

    /// Option 53: 1 DISCOVER, 2 OFFER, 3 REQUEST, 4 DECLINE, 5 ACK, 6 NAK, 7 RELEASE, 8 INFORM.
    public var messageType: UInt8? { option(53).flatMap { $0.count == 1 ? $0[0] : nil } }
    /// Option 12.
    public var hostname: String? {
        option(12).map { WireText.string($0, limit: WireText.maximumNameBytes) }.flatMap { $0.isEmpty ? nil : $0 }
    }
    /// Option 50.
    public var requestedAddress: IPv4Address? { option(50).flatMap(Self.ipv4) }
    /// Option 3 (RFC 2132 §3.5): the routers a server hands out, in order of preference; nil when absent
    /// or not a whole number of addresses.
    public var routers: [IPv4Address]? {
        guard let data = option(3), !data.isEmpty, data.count % 4 == 0 else { return nil }
        return stride(from: 0, to: data.count, by: 4).compactMap { Self.ipv4(Array(data[$0..<($0 + 4)])) }
    }
    /// Option 54.
    public var serverIdentifier: IPv4Address? { option(54).flatMap(Self.ipv4) }
    /// Option 55, in the client's order.
    public var parameterRequestList: [UInt8]? { option(55) }
    /// Option 57.
    public var maximumMessageSize: UInt16? {
        option(57).flatMap { $0.count == 2 ? UInt16($0[0]) << 8 | UInt16($0[1]) : nil }
    }
    /// Option 60.
    public var vendorClass: String? { option(60).map { WireText.string($0) } }
    /// Option 61, raw (type byte first).
    public var clientIdentifier: [UInt8]? { option(61) }
    /// Option 81 (RFC 4702): the client's FQDN, in DNS wire format when the E flag is set.
    public var clientFQDN: String? {
        guard let data = option(81), data.count >= 3 else { return nil }
        let name = data[3...]
        if data[0] & 0x04 != 0 {
            // Canonical wire encoding without compression (RFC 4702 §2.3.1); a partial name is allowed.
            var labels: [String] = []
            var index = name.startIndex
            var total = 0
            while index < name.endIndex {
                let length = Int(name[index])
                if length == 0 || length & 0xC0 != 0 { break }
                let end = index + 1 + length
                guard end <= name.endIndex, total + length + 1 <= WireText.maximumNameBytes else { break }
                labels.append(WireText.string(name[(index + 1)..<end]))
                total += length + 1
                index = end
            }
            return labels.isEmpty ? nil : labels.joined(separator: ".")
        }
        let text = WireText.string(name, limit: WireText.maximumNameBytes)
        return text.isEmpty ? nil : text
    }

    /// Option 12, or else the name in option 81.
    public var clientHostname: String? { hostname ?? clientFQDN }

    public var isClientMessage: Bool { op == 1 }

    /// The fingerprint a client message carries (nil without option 53).
    public var clientFingerprint: DHCPClientFingerprint? {
        guard let type = messageType else { return nil }
        return DHCPClientFingerprint(
            messageType: type, parameterRequestList: parameterRequestList ?? [], vendorClass: vendorClass,
            clientIdentifier: clientIdentifier, maxMessageSize: maximumMessageSize, requestedAddress: requestedAddress)
    }

    private static func ipv4(_ data: [UInt8]) -> IPv4Address? {
        guard data.count == 4 else { return nil }
        return IPv4Address(data[0], data[1], data[2], data[3])
    }
}
