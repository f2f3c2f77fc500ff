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
        return kept(lowercased: name.description.lowercased())
    }

    /// `keptName`'s rules on the lower-cased text of a name that has labels.
    private static func kept(lowercased: String) -> String? {
        var text = lowercased
        while text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty, text.utf8.count <= WireText.maximumNameBytes else { return nil }
        if text == "in-addr.arpa" || text == "ip6.arpa" || text.hasSuffix(".in-addr.arpa")
            || text.hasSuffix(".ip6.arpa")
        {
            return nil
        }
        return text
    }

    /// What `init(parsing:)` followed by `keptName` on each question gives, read straight from the
    /// wire without building a `DNSName` per question: the query's flags and its kept names, in
    /// question order. A query names one host almost always, so that costs one `String` and no
    /// array. Throws where `init(parsing:)` throws (the same checks, in the same order, through
    /// the same name walk). `general` is true when a name holds a byte outside ASCII, whose
    /// lower-casing is Unicode's: the caller then takes the general path for the whole query.
    static func keptNames(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) -> KeptNames {
        var reader = ByteReader(bytes)
        var out = KeptNames()
        _ = try reader.readUInt16()  // id
        out.flags = try reader.readUInt16()
        let count = Int(try reader.readUInt16())
        try reader.skip(6)
        guard count * 5 <= reader.remaining else { throw .invalidLength(field: "DNS question count", value: count) }
        for _ in 0..<count {
            let name = try keptWireName(from: &reader)
            _ = try reader.readUInt16()  // type
            _ = try reader.readUInt16()  // class
            switch name {
            case .kept(let text):
                if out.first == nil { out.first = text } else { out.rest.append(text) }
            case .dropped: break
            case .general: out.general = true
            }
        }
        return out
    }

    /// See `keptNames(parsing:)`.
    struct KeptNames {
        var flags: UInt16 = 0
        var first: String?
        var rest: [String] = []
        var general = false

        /// QR bit clear and opcode 0 (QUERY), as `isStandardQuery`.
        var isStandardQuery: Bool { flags & 0x8000 == 0 && (flags >> 11) & 0x0F == 0 }
    }

    private enum WireName { case kept(String), dropped, general }

    /// One question name's kept text: a first walk checks the name and measures it, a second
    /// writes its labels lower-cased (ASCII only, where that equals `String.lowercased()`) joined by
    /// dots into the string's own storage.
    private static func keptWireName(from reader: inout ByteReader) throws(DecodeError) -> WireName {
        let start = reader
        var labels = 0
        var length = 0
        var ascii = true
        try DNSName.walk(from: &reader) { label in
            labels += 1
            length += label.count
            for byte in label where byte >= 0x80 { ascii = false }
        }
        guard labels > 0 else { return .dropped }
        guard ascii else { return .general }
        length += labels - 1
        var again = start
        var written = 0
        let text = String(unsafeUninitializedCapacity: length) { buffer in
            do throws(DecodeError) {
                try DNSName.walk(from: &again) { label in
                    if written > 0, written < buffer.count {
                        buffer[written] = UInt8(ascii: ".")
                        written += 1
                    }
                    for byte in label where written < buffer.count {
                        buffer[written] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                        written += 1
                    }
                }
            } catch {
                return 0
            }
            return written
        }
        // The second walk retraces the first; anything else is left to the general path.
        guard text.utf8.count == length else { return .general }
        return kept(lowercased: text).map { .kept($0) } ?? .dropped
    }
}
