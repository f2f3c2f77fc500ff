/// Turning wire bytes into text: UTF-8 with replacement characters, never trusting lengths.
enum WireText {
    /// Hostnames and DNS names are capped here (RFC 1035 §2.3.4 limits a name to 255 octets).
    static let maximumNameBytes = 255
    /// Header values and other free text are capped here.
    static let maximumTextBytes = 1024

    /// Decodes at most `limit` bytes, dropping trailing NULs (some DHCP clients send them).
    static func string(_ bytes: UnsafeRawBufferPointer, limit: Int = maximumTextBytes) -> String {
        var end = min(bytes.count, limit)
        while end > 0 && bytes[end - 1] == 0 { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
    }

    static func string(_ bytes: ArraySlice<UInt8>, limit: Int = maximumTextBytes) -> String {
        bytes.withUnsafeBytes { string($0, limit: limit) }
    }

    static func string(_ bytes: [UInt8], limit: Int = maximumTextBytes) -> String {
        bytes.withUnsafeBytes { string($0, limit: limit) }
    }

    /// `bytes` without the leading and trailing bytes `isSpace` accepts.
    static func trimmed(_ bytes: UnsafeRawBufferPointer, isSpace: (UInt8) -> Bool = isBlank) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Space or tab: the optional whitespace around header values (RFC 9110 §5.6.3).
    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// XML's white space: space, tab, CR, LF (XML 1.0 §2.3).
    static func isXMLSpace(_ byte: UInt8) -> Bool { isBlank(byte) || byte == 0x0A || byte == 0x0D }
}
