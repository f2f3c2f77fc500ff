import LanscopeCore

/// The header and question section of a unicast DNS message (RFC 1035 §4.1) — all a query's
/// sender reveals. Answer sections are not read: a query carries none but an EDNS OPT record.
public struct DNSQuery: Sendable, Hashable {
    public var id: UInt16
    public var flags: UInt16
    public var questions: [DNSQuestion]

    /// QR bit clear and opcode 0 (QUERY).
    public var isStandardQuery: Bool { flags & 0x8000 == 0 && (flags >> 11) & 0x0F == 0 }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        id = try reader.readUInt16()
        flags = try reader.readUInt16()
        let count = Int(try reader.readUInt16())
        try reader.skip(6)  // answer, authority, additional counts
        // A question takes at least five bytes: a count the message cannot hold fails before any allocation.
        guard count * 5 <= reader.remaining else { throw .invalidLength(field: "DNS question count", value: count) }
        questions = []
        questions.reserveCapacity(count)
        for _ in 0..<count { questions.append(try DNSQuestion(from: &reader)) }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> DNSQuery in try DNSQuery(parsing: buffer) }
    }

    /// The text kept for a queried name: lower-cased (RFC 4343), no trailing dot, or nil for the
    /// root, for names whose text exceeds 255 bytes, and for reverse lookups (`in-addr.arpa`,
    /// `ip6.arpa`): those name a peer's address, not a service the device uses, and a device
    /// resolving its peers would flood its bounded name set with them.
    public static func keptName(_ name: DNSName) -> String? {
        guard !name.labels.isEmpty else { return nil }
        var text = name.description.lowercased()
        while text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty, text.utf8.count <= WireText.maximumNameBytes else { return nil }
        if text == "in-addr.arpa" || text == "ip6.arpa" || text.hasSuffix(".in-addr.arpa")
            || text.hasSuffix(".ip6.arpa")
        {
            return nil
        }
        return text
    }
}
