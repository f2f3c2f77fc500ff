import LanscopeCore

/// A DNS or mDNS message (RFC 1035, RFC 6762): header, questions and the three record sections.
/// A, AAAA, PTR, SRV and TXT data are decoded; other types are skipped by their RDLENGTH.
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16
    public var flags: UInt16
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    public var additionals: [DNSResourceRecord]

    /// QR bit: a response.
    public var isResponse: Bool { flags & 0x8000 != 0 }
    public var opcode: UInt8 { UInt8(truncatingIfNeeded: flags >> 11) & 0x0F }
    public var responseCode: UInt8 { UInt8(truncatingIfNeeded: flags) & 0x0F }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = ByteReader(bytes)
        id = try reader.readUInt16()
        flags = try reader.readUInt16()
        let questionCount = Int(try reader.readUInt16())
        let answerCount = Int(try reader.readUInt16())
        let authorityCount = Int(try reader.readUInt16())
        let additionalCount = Int(try reader.readUInt16())
        // Counts are untrusted: every entry takes at least five bytes, so a count the message
        // cannot hold fails at once instead of reserving memory for it.
        let minimumSize = (questionCount + answerCount + authorityCount + additionalCount) * 5
        guard minimumSize <= reader.remaining else {
            throw .invalidLength(
                field: "DNS record count", value: questionCount + answerCount + authorityCount + additionalCount)
        }
        questions = []
        questions.reserveCapacity(questionCount)
        for _ in 0..<questionCount { questions.append(try DNSQuestion(from: &reader)) }
        answers = try Self.records(answerCount, &reader)
        authorities = try Self.records(authorityCount, &reader)
        additionals = try Self.records(additionalCount, &reader)
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> DNSMessage in try DNSMessage(parsing: buffer) }
    }

    private static func records(_ count: Int, _ reader: inout ByteReader) throws(DecodeError) -> [DNSResourceRecord] {
        var records: [DNSResourceRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try DNSResourceRecord(from: &reader)) }
        return records
    }

    /// Answers, authorities and additionals in order.
    public var allRecords: [DNSResourceRecord] { answers + authorities + additionals }
}

public struct DNSQuestion: Sendable, Hashable {
    public var name: DNSName
    public var type: UInt16
    /// Class with the mDNS unicast-response bit removed.
    public var recordClass: UInt16
    /// mDNS QU bit (RFC 6762 §5.4).
    public var unicastResponse: Bool

    public init(from reader: inout ByteReader) throws(DecodeError) {
        name = try DNSName(from: &reader)
        type = try reader.readUInt16()
        let rawClass = try reader.readUInt16()
        recordClass = rawClass & 0x7FFF
        unicastResponse = rawClass & 0x8000 != 0
    }
}

public struct DNSResourceRecord: Sendable, Hashable {
    public var name: DNSName
    public var type: UInt16
    /// Class with the mDNS cache-flush bit removed (RFC 6762 §10.2).
    public var recordClass: UInt16
    public var cacheFlush: Bool
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(from reader: inout ByteReader) throws(DecodeError) {
        name = try DNSName(from: &reader)
        type = try reader.readUInt16()
        let rawClass = try reader.readUInt16()
        recordClass = rawClass & 0x7FFF
        cacheFlush = rawClass & 0x8000 != 0
        ttl = try reader.readUInt32()
        let length = Int(try reader.readUInt16())
        let start = reader.offset
        guard length <= reader.remaining else {
            throw .truncated(offset: start, needed: length, available: reader.remaining)
        }
        switch type {
        case 1:
            guard length == 4 else { throw .invalidLength(field: "A record", value: length) }
            data = .a(try reader.readIPv4())
        case 28:
            guard length == 16 else { throw .invalidLength(field: "AAAA record", value: length) }
            data = .aaaa(try reader.readIPv6())
        case 12:
            data = .ptr(try DNSName(from: &reader))
        case 33:
            let priority = try reader.readUInt16()
            let weight = try reader.readUInt16()
            let port = try reader.readUInt16()
            data = .srv(priority: priority, weight: weight, port: port, target: try DNSName(from: &reader))
        case 16:
            var text = try reader.subReader(length)
            var entries: [[UInt8]] = []
            while !text.isAtEnd {
                let count = Int(try text.readUInt8())
                entries.append(try text.readBytes(count))
            }
            data = .txt(entries)
        default:
            data = .other(length: length)
        }
        // Names inside RDATA may point elsewhere; the record still ends where RDLENGTH says.
        guard reader.offset <= start + length else {
            throw .invalidLength(field: "DNS RDATA", value: length)
        }
        try reader.seek(to: start + length)
    }
}

public enum DNSRecordData: Sendable, Hashable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ptr(DNSName)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// Character strings as sent.
    case txt([[UInt8]])
    case other(length: Int)

    /// TXT strings as DNS-SD key/value pairs (RFC 6763 §6.3–6.4): the key is everything before the
    /// first `=`, no `=` means a boolean attribute (nil value); empty strings are dropped.
    public var txtEntries: [TXTEntry] {
        guard case .txt(let strings) = self else { return [] }
        return strings.compactMap { string -> TXTEntry? in
            guard !string.isEmpty else { return nil }
            if let equals = string.firstIndex(of: UInt8(ascii: "=")) {
                return TXTEntry(
                    key: WireText.string(string[..<equals]),
                    value: String(decoding: string[(equals + 1)...].prefix(WireText.maximumTextBytes), as: UTF8.self))
            }
            return TXTEntry(key: WireText.string(string), value: nil)
        }
    }
}
