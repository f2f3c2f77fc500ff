import LanscopeCore

/// An SSDP message (UPnP Device Architecture 2.0 §1): HTTP over UDP with a start line and headers.
/// Lines end in CRLF; a bare LF is tolerated. Header names compare case-insensitively.
public struct SSDPMessage: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case notify
        case search
        /// A search response (`HTTP/1.1 200 OK`) or another status.
        case response(status: Int)
    }

    public var kind: Kind
    /// Headers in wire order: names as sent, values trimmed and capped at 1024 bytes.
    public var headers: [(name: String, value: String)]

    /// Headers kept per message; the rest are ignored.
    public static let maximumHeaders = 64

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var lines = LineScanner(bytes: bytes)
        guard let startLine = lines.next(), !startLine.isEmpty else {
            throw .malformedText(reason: "missing start line")
        }
        kind = try Self.kind(of: startLine)
        headers = []
        while let line = lines.next() {
            if line.isEmpty { break }
            guard headers.count < Self.maximumHeaders else { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = WireText.trimmed(UnsafeRawBufferPointer(rebasing: line[..<colon]))
            guard !name.isEmpty, name.first != UInt8(ascii: " "), name.first != UInt8(ascii: "\t") else { continue }
            let value = WireText.trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
            headers.append((WireText.string(name, limit: 128), WireText.string(value)))
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> SSDPMessage in try SSDPMessage(parsing: buffer) }
    }

    public static func == (lhs: SSDPMessage, rhs: SSDPMessage) -> Bool {
        lhs.kind == rhs.kind
            && lhs.headers.elementsEqual(rhs.headers, by: { $0.name == $1.name && $0.value == $1.value })
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }

    /// The first header with this name, compared case-insensitively (RFC 9110 §5.1).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == wanted })?.value
    }

    public var notificationType: String? { header("NT") }
    public var notificationSubtype: String? { header("NTS") }
    public var searchTarget: String? { header("ST") }
    public var uniqueServiceName: String? { header("USN") }
    public var server: String? { header("SERVER") }
    public var location: String? { header("LOCATION") }
    public var cacheControl: String? { header("CACHE-CONTROL") }
    public var userAgent: String? { header("USER-AGENT") }

    private static func kind(of line: UnsafeRawBufferPointer) throws(DecodeError) -> Kind {
        if startsWith(line, "NOTIFY ") { return .notify }
        if startsWith(line, "M-SEARCH ") { return .search }
        if startsWith(line, "HTTP/1.") {
            // "HTTP/1.1 200 OK": three digits after the first space.
            guard line.count >= 12, line[8] == UInt8(ascii: " ") else {
                throw .malformedText(reason: "bad status line")
            }
            var status = 0
            for index in 9..<12 {
                let digit = line[index]
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                    throw .malformedText(reason: "bad status code")
                }
                status = status * 10 + Int(digit - UInt8(ascii: "0"))
            }
            return .response(status: status)
        }
        throw .malformedText(reason: "not an SSDP start line")
    }

    private static func startsWith(_ line: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.count >= count else { return false }
        let start = prefix.utf8Start
        for index in 0..<count where line[index] != start[index] { return false }
        return true
    }
}

/// Splits text into lines at LF, dropping a CR before it. The last line needs no terminator.
struct LineScanner {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    mutating func next() -> UnsafeRawBufferPointer? {
        guard position < bytes.count else { return nil }
        var end = position
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        let next = end < bytes.count ? end + 1 : end
        if end > position && bytes[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
        position = next
        return line
    }
}
