import LanscopeCore

/// A NetBIOS name service packet (RFC 1002 §4.2) on UDP 137: DNS-shaped, with the 16-byte NetBIOS
/// name half-ASCII encoded into a 32-byte first label. Only what identifies the sender is kept:
/// the operation, the question name and the addresses of NB records.
public struct NBNSMessage: Sendable, Hashable {
    public var flags: UInt16
    /// The first question's NetBIOS name (trailing spaces removed) and its 16th-byte suffix.
    public var name: String?
    public var suffix: UInt8?
    /// NB records (type 0x20) in the answer and additional sections: flags and address.
    public var entries: [NameEntry] = []

    public struct NameEntry: Sendable, Hashable {
        /// NB_FLAGS: G (0x8000) marks a group name.
        public var flags: UInt16
        public var address: IPv4Address
        public var isGroup: Bool { flags & 0x8000 != 0 }
    }

    public var isResponse: Bool { flags & 0x8000 != 0 }
    /// 0 query, 5 registration, 6 release, 7 WACK, 8 and 9 refresh.
    public var opcode: UInt8 { UInt8(truncatingIfNeeded: flags >> 11) & 0x0F }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        _ = try reader.readUInt16()
        flags = try reader.readUInt16()
        let questions = Int(try reader.readUInt16())
        let answers = Int(try reader.readUInt16())
        let authorities = Int(try reader.readUInt16())
        let additionals = Int(try reader.readUInt16())
        guard (questions + answers + authorities + additionals) * 5 <= reader.remaining else {
            throw .invalidLength(field: "NBNS record count", value: questions + answers + authorities + additionals)
        }
        for index in 0..<questions {
            let owner = try DNSName(from: &reader)
            try reader.skip(4)
            if index == 0, let decoded = Self.netBIOSName(owner) {
                name = decoded.name
                suffix = decoded.suffix
            }
        }
        for section in 0..<3 {
            let count = section == 0 ? answers : section == 1 ? authorities : additionals
            for _ in 0..<count {
                let owner = try DNSName(from: &reader)
                let type = try reader.readUInt16()
                try reader.skip(2 + 4)
                let length = Int(try reader.readUInt16())
                var data = try reader.subReader(length)
                if name == nil, let decoded = Self.netBIOSName(owner) {
                    name = decoded.name
                    suffix = decoded.suffix
                }
                guard type == 0x20, section != 1 else { continue }
                while data.remaining >= 6 {
                    entries.append(NameEntry(flags: try data.readUInt16(), address: try data.readIPv4()))
                }
            }
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> NBNSMessage in try NBNSMessage(parsing: buffer) }
    }

    /// RFC 1001 §14.1 first-level encoding: each nibble + 'A'. The name is 15 characters padded
    /// with spaces plus a suffix byte naming the service.
    static func netBIOSName(_ owner: DNSName) -> (name: String, suffix: UInt8)? {
        guard let label = owner.labels.first else { return nil }
        let encoded = Array(label.utf8)
        guard encoded.count == 32 else { return nil }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(16)
        for pair in 0..<16 {
            let high = encoded[2 * pair]
            let low = encoded[2 * pair + 1]
            guard (0x41...0x50).contains(high), (0x41...0x50).contains(low) else { return nil }
            decoded.append((high - 0x41) << 4 | (low - 0x41))
        }
        var end = 15
        while end > 0 && (decoded[end - 1] == 0x20 || decoded[end - 1] == 0) { end -= 1 }
        return (String(decoding: decoded[..<end], as: UTF8.self), decoded[15])
    }
}
