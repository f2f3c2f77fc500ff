import LanscopeCore

/// A domain name as a list of labels (labels may themselves contain dots, as DNS-SD instance
/// names do).
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    public var labels: [String]

    public init(labels: [String]) { self.labels = labels }

    /// Compression pointers followed per name before giving up.
    public static let maximumPointerHops = 32

    /// Reads a possibly compressed name (RFC 1035 §4.1.4) from a reader over the *whole* message,
    /// so pointers can reach earlier names (the rules: `walk`).
    public init(from reader: inout ByteReader) throws(DecodeError) {
        var labels: [String] = []
        try Self.walk(from: &reader) { labels.append(String(decoding: $0, as: UTF8.self)) }
        self.labels = labels
    }

    /// Walks a possibly compressed name, handing each label's bytes to `label` in order, and leaves
    /// `reader` just after the name. Every pointer must land strictly before the segment that holds
    /// it, so the walk can only move backwards and always ends; pointer hops and the encoded length
    /// (255 octets, RFC 1035 §2.3.4) are capped besides. `init(from:)` and the query decoder's
    /// allocation-free path (`DNSQuery.keptNames`) share it, so both accept and refuse the same names.
    static func walk(
        from reader: inout ByteReader, label: (UnsafeRawBufferPointer) -> Void
    ) throws(DecodeError) {
        let bytes = reader.bytes
        var position = reader.offset
        var segmentStart = position
        var resumeOffset: Int?
        var hops = 0
        var encodedLength = 1  // the root label
        while true {
            guard position < bytes.count else {
                throw .truncated(offset: position, needed: 1, available: 0)
            }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    try reader.seek(to: resumeOffset ?? position + 1)
                    return
                }
                encodedLength += length + 1
                guard encodedLength <= WireText.maximumNameBytes else {
                    throw .invalidName(reason: "longer than 255 octets")
                }
                let start = position + 1
                guard start + length <= bytes.count else {
                    throw .truncated(offset: start, needed: length, available: bytes.count - start)
                }
                label(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
                position = start + length
            case 0xC0:
                guard position + 1 < bytes.count else {
                    throw .truncated(offset: position, needed: 2, available: bytes.count - position)
                }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                hops += 1
                guard hops <= Self.maximumPointerHops else {
                    throw .invalidName(reason: "too many compression pointers")
                }
                guard target < segmentStart else {
                    throw .invalidName(reason: "compression pointer does not point backwards")
                }
                if resumeOffset == nil { resumeOffset = position + 2 }
                position = target
                segmentStart = target
            default:
                // 0x40 and 0x80: extended and reserved label types (RFC 6891 §5) are not used in names.
                throw .invalidName(reason: "reserved label type")
            }
        }
    }

    public var description: String { labels.joined(separator: ".") }

    /// Lower-cased text, for case-insensitive comparison (RFC 4343).
    public var key: String { description.lowercased() }

    /// True when the last label is `local` (mDNS, RFC 6762 §3).
    public var isLocal: Bool { labels.last.map { $0.lowercased() == "local" } ?? false }

    /// The name without a trailing `local` label.
    public var withoutLocal: String {
        isLocal ? labels.dropLast().joined(separator: ".") : description
    }
}
