import LanscopeCore

/// A DHCPv6 message (RFC 8415 §8): message type, transaction ID, then options with a 16-bit code
/// and a 16-bit length. Relay messages (§9) are recognised but their options are not opened: what
/// they carry is another device's message.
public struct DHCPv6Message: Sendable, Hashable {
    public var messageType: UInt8
    /// Option codes in wire order (top level only).
    public var optionCodes: [UInt16] = []
    /// OPTION_CLIENTID (1): the DUID, raw (at most `maximumDUIDBytes`).
    public var clientDUID: [UInt8]?
    /// OPTION_ORO (6): requested option codes in order.
    public var optionRequest: [UInt16] = []
    /// OPTION_VENDOR_CLASS (16): enterprise number and the first vendor-class-data string.
    public var vendorEnterprise: UInt32?
    public var vendorClass: String?
    /// OPTION_CLIENT_FQDN (39, RFC 4704 §4): flags and the domain name as text, no trailing dot.
    public var fqdnFlags: UInt8?
    public var fqdn: String?

    /// A DUID is at most 128 octets plus its 2-octet type (RFC 8415 §11.1).
    static let maximumDUIDBytes = 130
    static let maximumOptions = 256
    static let maximumORO = 128

    /// Client-originated types that describe the client (RFC 8415 §7.3): SOLICIT, REQUEST, CONFIRM,
    /// RENEW, REBIND, INFORMATION-REQUEST. RELEASE and DECLINE end a lease and are left out.
    public var isClientMessage: Bool { [1, 3, 4, 5, 6, 11].contains(messageType) }
    /// RELAY-FORW (12) and RELAY-REPL (13).
    public var isRelayMessage: Bool { messageType == 12 || messageType == 13 }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        messageType = try reader.readUInt8()
        if messageType == 12 || messageType == 13 {
            try reader.skip(33)  // hop count, link address, peer address
            return
        }
        try reader.skip(3)  // transaction ID
        var count = 0
        while !reader.isAtEnd {
            count += 1
            guard count <= Self.maximumOptions else { throw .invalidLength(field: "DHCPv6 option count", value: count) }
            let code = try reader.readUInt16()
            var value = try reader.subReader(Int(try reader.readUInt16()))
            optionCodes.append(code)
            switch code {
            case 1:
                guard value.remaining >= 2, value.remaining <= Self.maximumDUIDBytes else {
                    throw .invalidLength(field: "DHCPv6 client DUID", value: value.remaining)
                }
                clientDUID = Array(value.readRemaining())
            case 6:
                guard value.remaining % 2 == 0 else {
                    throw .invalidLength(field: "DHCPv6 ORO", value: value.remaining)
                }
                while !value.isAtEnd && optionRequest.count < Self.maximumORO {
                    optionRequest.append(try value.readUInt16())
                }
            case 16:
                vendorEnterprise = try value.readUInt32()
                if !value.isAtEnd {
                    let data = try value.readBuffer(Int(try value.readUInt16()))
                    vendorClass = WireText.string(data)
                }
            case 39:
                fqdnFlags = try value.readUInt8()
                fqdn = try Self.domainName(&value)
            default:
                break
            }
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> DHCPv6Message in try DHCPv6Message(parsing: buffer) }
    }

    /// An uncompressed DNS wire-format name (RFC 8415 §10; compression is not allowed here). A
    /// partial name (RFC 4704 §4.2: no terminating zero label) ends with the option. Nil when empty.
    static func domainName(_ reader: inout ByteReader) throws(DecodeError) -> String? {
        var text: [UInt8] = []
        var encoded = 1
        while !reader.isAtEnd {
            let length = Int(try reader.readUInt8())
            if length == 0 { break }
            guard length <= 63 else { throw .invalidName(reason: "label longer than 63 octets") }
            encoded += length + 1
            guard encoded <= WireText.maximumNameBytes else { throw .invalidName(reason: "longer than 255 octets") }
            if !text.isEmpty { text.append(0x2E) }
            text += try reader.readBuffer(length)
        }
        return text.isEmpty ? nil : String(decoding: text, as: UTF8.self)
    }

    /// The FQDN's first label: the host name the client gives itself.
    public var hostname: String? {
        guard let fqdn, let label = fqdn.split(separator: ".", omittingEmptySubsequences: true).first else {
            return nil
        }
        return String(label)
    }

    /// The fact form, for client messages.
    public var clientFingerprint: DHCPv6ClientFingerprint? {
        guard isClientMessage else { return nil }
        return DHCPv6ClientFingerprint(
            messageType: messageType, duid: clientDUID, optionRequest: optionRequest,
            vendorEnterprise: vendorEnterprise, vendorClass: vendorClass, fqdn: fqdn)
    }
}
