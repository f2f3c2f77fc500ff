/// A WS-Discovery message (OASIS WS-Discovery 1.1; the 2005/04 draft Windows and ONVIF devices speak is
/// the same shape): a SOAP envelope over UDP 3702 whose `Action` says what it is, and whose body carries
/// the endpoint's `Types` (QNames such as ONVIF's `dn:NetworkVideoTransmitter`, WS-Print's
/// `wprt:PrintDeviceType`, Windows' `pub:Computer`), `Scopes` (URIs: ONVIF puts
/// `onvif://www.onvif.org/hardware/MODEL` there) and `XAddrs` (where its metadata is served).
///
/// Not an XML parser: the elements needed are found by their local names in a bounded scan, their text
/// taken up to the next `<`, and entities other than the five predefined ones left as written. A message
/// that does not look like a SOAP envelope with an Action is refused; a missing element is empty.
public struct WSDiscoveryMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Announcements and answers: they describe the sender.
        case hello, probeMatches, resolveMatches
        /// The sender leaving.
        case bye
        /// Searches: what the sender looks for.
        case probe, resolve
    }

    public var kind: Kind
    /// QNames as written (`dn:NetworkVideoTransmitter`), at most `maximumItems`.
    public var types: [String]
    /// Scope URIs, at most `maximumItems`.
    public var scopes: [String]
    /// Transport addresses (URLs), at most `maximumItems`.
    public var transportAddresses: [String]
    /// The endpoint reference's address (usually `urn:uuid:…`), when present.
    public var endpoint: String?

    /// Items kept per list; a longer list is cut (a device with more scopes than this is unusual).
    public static let maximumItems = 16
    /// Bytes scanned; WS-Discovery messages fit one datagram (SOAP-over-UDP: at most 65,507 bytes, in
    /// practice under 4 KiB).
    public static let maximumBytes = 65_536

    public init(parsing payload: UnsafeRawBufferPointer) throws(DecodeError) {
        let bytes = UnsafeRawBufferPointer(rebasing: payload.prefix(Self.maximumBytes))
        guard Self.find(Array("Envelope".utf8), in: bytes, from: 0) != nil else {
            throw .malformedText(reason: "not a SOAP envelope")
        }
        guard let action = Self.elementText("Action", in: bytes) else {
            throw .malformedText(reason: "no WS-Addressing Action")
        }
        // The action URI ends with the message name (WS-Discovery 1.1 section 4-6).
        let name = action.split(separator: "/").last.map(String.init) ?? ""
        switch name {
        case "Hello": kind = .hello
        case "Bye": kind = .bye
        case "Probe": kind = .probe
        case "ProbeMatches": kind = .probeMatches
        case "Resolve": kind = .resolve
        case "ResolveMatches": kind = .resolveMatches
        default: throw .malformedText(reason: "unknown WS-Discovery action")
        }
        // The body's elements only: a header may hold addresses of its own (a Probe's ReplyTo).
        let body = Self.elementStart("Body", in: bytes, from: 0) ?? 0
        types = Self.items(Self.elementText("Types", in: bytes, from: body))
        scopes = Self.items(Self.elementText("Scopes", in: bytes, from: body))
        transportAddresses = Self.items(Self.elementText("XAddrs", in: bytes, from: body))
        endpoint = Self.elementText("Address", in: bytes, from: body).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The local part of a QName: `NetworkVideoTransmitter` for `dn:NetworkVideoTransmitter`.
    public static func localName(_ qname: String) -> String {
        qname.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? qname
    }

    static func items(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .prefix(maximumItems).map(String.init)
    }

    /// The text of the first element at or after `start` whose local name is `name` (`<name>` or
    /// `<prefix:name>`, with or without attributes), trimmed, up to the next `<`; nil when there is none.
    static func elementText(_ name: String, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> String? {
        guard let lt = elementStart(name, in: bytes, from: start) else { return nil }
        // Past the start tag; a self-closed element has no text.
        guard let gt = find([UInt8(ascii: ">")], in: bytes, from: lt) else { return nil }
        if gt > 0 && bytes[gt - 1] == UInt8(ascii: "/") { return "" }
        let textEnd = find([UInt8(ascii: "<")], in: bytes, from: gt + 1) ?? bytes.count
        let text = UnsafeRawBufferPointer(rebasing: bytes[(gt + 1)..<textEnd])
        return unescaped(WireText.string(WireText.trimmed(text, isSpace: WireText.isXMLSpace)))
    }

    /// The offset of the `<` of the first start tag at or after `start` whose local name is `name`.
    static func elementStart(_ name: String, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let local = Array(name.utf8)
        var from = start
        while let lt = find([UInt8(ascii: "<")], in: bytes, from: from) {
            from = lt + 1
            // The tag's name: up to whitespace, `>` or `/`.
            var end = from
            while end < bytes.count, !Self.endsName(bytes[end]) { end += 1 }
            guard end < bytes.count, end > from, bytes[from] != UInt8(ascii: "/") else { continue }
            let tag = UnsafeRawBufferPointer(rebasing: bytes[from..<end])
            let colon = tag.lastIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? 0
            guard tag.count - colon == local.count, tag[colon...].elementsEqual(local) else { continue }
            return lt
        }
        return nil
    }

    static func endsName(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t")
            || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
    }

    /// The five predefined entities (XML 1.0 section 4.6); others are left as written.
    static func unescaped(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences("&lt;", "<").replacingOccurrences("&gt;", ">")
            .replacingOccurrences("&quot;", "\"").replacingOccurrences("&apos;", "'")
            .replacingOccurrences("&amp;", "&")
    }

    /// The offset of the first occurrence of `needle` at or after `from`.
    static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
        var i = from
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == needle[0] {
                var j = 1
                while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
