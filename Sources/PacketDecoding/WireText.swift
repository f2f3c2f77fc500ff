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
}
