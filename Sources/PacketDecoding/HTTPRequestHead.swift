import LanscopeCore

/// The head of an HTTP/1.x request (RFC 9112 §3, §5) at the start of a TCP payload: request line and
/// the header fields lanscope keeps. The scan is bounded and tolerant of a capture that ends inside
/// the head: fields on complete lines are kept, a cut last line is dropped.
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: String
    public var target: String
    /// `HTTP/1.0` or `HTTP/1.1`.
    public var version: String
    /// The first User-Agent field value, trimmed; folded continuation lines (RFC 9112 §5.2) joined by a space.
    public var userAgent: String?
    /// The first Host field value, trimmed.
    public var host: String?

    /// Bytes of the head that are looked at; a longer head is read up to here.
    public static let maximumHeadBytes = 8192
    /// Header lines looked at.
    public static let maximumHeaderLines = 128
    /// Longest method token accepted (the registered methods are at most 17 characters, RFC 9110 §16.1).
    static let maximumMethodLength = 20

    /// A cheap first look, without allocating: an upper-case token of letters, hyphens or
    /// underscores, then a space — the shape of every registered method.
    @inline(__always)
    public static func looksLikeRequest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count && index <= maximumMethodLength {
            let byte = bytes[index]
            if byte == 0x20 { return index > 0 }
            guard (0x41...0x5A).contains(byte) || byte == 0x2D || byte == 0x5F else { return false }
            index += 1
        }
        return false
    }

    /// Parses the head, or returns nil when the bytes are not an HTTP/1.x request line (another
    /// text protocol, or a request line the capture cut).
    public init?(parsing bytes: UnsafeRawBufferPointer) {
        guard Self.looksLikeRequest(bytes) else { return nil }
        let limit = min(bytes.count, Self.maximumHeadBytes)
        var lineStart = 0
        /// The next line as [start, end) without CR/LF, or nil when no LF comes before `limit`.
        func nextLine() -> Range<Int>? {
            var index = lineStart
            while index < limit && bytes[index] != 0x0A { index += 1 }
            guard index < limit else { return nil }
            var end = index
            if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
            let line = lineStart..<end
            lineStart = index + 1
            return line
        }
        guard let requestLine = nextLine() else { return nil }
        // method SP request-target SP HTTP-version
        guard let firstSpace = (requestLine.lowerBound..<requestLine.upperBound).first(where: { bytes[$0] == 0x20 })
        else { return nil }
        var lastSpace = requestLine.upperBound - 1
        while lastSpace > firstSpace && bytes[lastSpace] != 0x20 { lastSpace -= 1 }
        guard lastSpace > firstSpace + 1 else { return nil }
        let versionRange = (lastSpace + 1)..<requestLine.upperBound
        guard versionRange.count == 8 else { return nil }
        let versionBytes = UnsafeRawBufferPointer(rebasing: bytes[versionRange])
        guard versionBytes.starts(with: "HTTP/1.".utf8), versionBytes[7] == 0x30 || versionBytes[7] == 0x31 else {
            return nil
        }
        method = String(
            decoding: UnsafeRawBufferPointer(rebasing: bytes[requestLine.lowerBound..<firstSpace]), as: UTF8.self)
        target = WireText.string(UnsafeRawBufferPointer(rebasing: bytes[(firstSpace + 1)..<lastSpace]))
        version = String(decoding: versionBytes, as: UTF8.self)

        var lines = 0
        var lastField: Field?
        while lines < Self.maximumHeaderLines, let line = nextLine() {
            lines += 1
            if line.isEmpty { break }  // end of the head
            let first = bytes[line.lowerBound]
            if first == 0x20 || first == 0x09 {
                // obs-fold: continues the previous field's value.
                let more = Self.trimmed(bytes, line)
                if !more.isEmpty {
                    switch lastField {
                    case .userAgent: userAgent = userAgent.map { $0 + " " + more }
                    case .host: host = host.map { $0 + " " + more }
                    case nil: break
                    }
                }
                continue
            }
            lastField = nil
            guard let colon = line.first(where: { bytes[$0] == 0x3A }) else { continue }
            let name = line.lowerBound..<colon
            let value = Self.trimmed(bytes, (colon + 1)..<line.upperBound)
            if userAgent == nil && Self.nameEquals(bytes, name, "user-agent") {
                userAgent = value
                lastField = .userAgent
            } else if host == nil && Self.nameEquals(bytes, name, "host") {
                host = value
                lastField = .host
            }
        }
    }

    public init?(parsing bytes: [UInt8]) {
        guard let head = bytes.withUnsafeBytes({ HTTPRequestHead(parsing: $0) }) else { return nil }
        self = head
    }

    private enum Field { case userAgent, host }

    /// Field names compare case-insensitively (RFC 9110 §5.1); `lowercase` must be lower-case ASCII.
    private static func nameEquals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString)
        -> Bool
    {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for (offset, index) in range.enumerated() {
            var byte = bytes[index]
            if (0x41...0x5A).contains(byte) { byte |= 0x20 }
            guard byte == expected[offset] else { return false }
        }
        return true
    }

    /// The bytes of `range` without leading and trailing spaces and tabs, as text (bounded).
    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        WireText.string(WireText.trimmed(UnsafeRawBufferPointer(rebasing: bytes[range])))
    }

    /// The fact form.
    public var fingerprint: HTTPClientFingerprint { HTTPClientFingerprint(userAgent: userAgent, host: host) }
}
