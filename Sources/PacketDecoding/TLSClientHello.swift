import LanscopeCore

/// A TLS ClientHello (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2 for older versions) at the start of a TCP
/// payload, and its JA4 fingerprint. A capture may end inside the hello (a large post-quantum key
/// share spans two segments): what was read is kept, and `isComplete` says whether the extension
/// list was read to its end — the JA4 counts and hashes are only meaningful then.
public struct TLSClientHello: Sendable, Hashable {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3 hellos).
    public var legacyVersion: UInt16
    /// Cipher suites in wire order, GREASE included.
    public var cipherSuites: [UInt16] = []
    /// Extension types in wire order, GREASE included.
    public var extensions: [UInt16] = []
    /// server_name (RFC 6066 §3): the first host_name entry.
    public var serverName: String?
    /// ALPN protocol names in order (RFC 7301 §3.1), at most `maximumALPN`.
    public var alpn: [String] = []
    /// The first ALPN name's bytes as sent (JA4 looks at its first and last byte).
    public var firstALPN: [UInt8]?
    /// supported_versions (RFC 8446 §4.2.1), GREASE included.
    public var supportedVersions: [UInt16] = []
    /// signature_algorithms (RFC 8446 §4.2.3) in wire order, GREASE included.
    public var signatureAlgorithms: [UInt16] = []
    /// False when the capture ended before the extension list did.
    public var isComplete = false

    static let maximumExtensions = 512
    static let maximumALPN = 16
    /// Handshake bytes gathered across records when a hello is split into several records.
    static let maximumHandshakeBytes = 65_536

    /// A cheap first look, without allocating: a handshake record (content type 22, RFC 8446 §5.1)
    /// of TLS major version 3 whose first handshake message is a ClientHello (type 1).
    /// A TLS 1.3 client answering a HelloRetryRequest in middlebox-compatibility mode (RFC 8446
    /// §D.4) sends a one-byte ChangeCipherSpec record just before its second ClientHello.
    @inline(__always)
    public static func looksLikeClientHello(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = startsWithChangeCipherSpec(bytes) ? 6 : 0
        return bytes.count >= start + 6 && bytes[start] == 22 && bytes[start + 1] == 3 && bytes[start + 2] <= 4
            && bytes[start + 5] == 1
    }

    @inline(__always)
    static func startsWithChangeCipherSpec(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 6 && bytes[0] == 20 && bytes[1] == 3 && bytes[3] == 0 && bytes[4] == 1 && bytes[5] == 1
    }

    /// Parses the records at the start of `bytes`. Throws when the input is not a ClientHello or a
    /// length contradicts the bytes around it; a hello cut by the end of the capture is returned
    /// with `isComplete == false`.
    public init(parsing input: UnsafeRawBufferPointer) throws(DecodeError) {
        guard Self.looksLikeClientHello(input) else { throw .invalidValue(field: "TLS ClientHello", value: 0) }
        let bytes = Self.startsWithChangeCipherSpec(input) ? UnsafeRawBufferPointer(rebasing: input[6...]) : input
        var reader = ByteReader(bytes)
        try reader.skip(3)
        let recordLength = Int(try reader.readUInt16())
        guard recordLength >= 4, recordLength <= 16_384 + 2048 else {
            throw .invalidLength(field: "TLS record", value: recordLength)
        }
        let firstRecord = UnsafeRawBufferPointer(
            rebasing: bytes[5..<(5 + min(recordLength, reader.remaining))])
        func byte(_ index: Int) -> Int { index < firstRecord.count ? Int(firstRecord[index]) : 0 }
        let handshakeLength = byte(1) << 16 | byte(2) << 8 | byte(3)
        if handshakeLength + 4 <= recordLength || reader.remaining <= recordLength {
            // The hello fits its record, or the capture ends inside the first record.
            try self.init(handshake: firstRecord, recordComplete: reader.remaining >= recordLength)
            return
        }
        // The hello continues in further handshake records (RFC 8446 §5.1 allows fragmenting a
        // handshake message across records): join their bodies.
        var joined: [UInt8] = Array(firstRecord)
        try reader.skip(recordLength)
        var captureEnded = false
        while joined.count < handshakeLength + 4 {
            guard reader.remaining >= 5 else {
                captureEnded = true
                break
            }
            guard try reader.readUInt8() == 22 else { throw .invalidValue(field: "TLS continuation record", value: 0) }
            try reader.skip(2)
            let length = Int(try reader.readUInt16())
            let available = min(length, reader.remaining)
            guard joined.count + available <= Self.maximumHandshakeBytes else {
                throw .invalidLength(field: "TLS handshake", value: joined.count + available)
            }
            joined += try reader.readBuffer(available)
            if available < length {
                captureEnded = true
                break
            }
        }
        let joinedBytes = joined
        let ended = captureEnded
        self = try joinedBytes.decode { (buffer) throws(DecodeError) -> TLSClientHello in
            try TLSClientHello(handshake: buffer, recordComplete: !ended)
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> TLSClientHello in try TLSClientHello(parsing: buffer)
        }
    }

    /// Parses a handshake message (type, 24-bit length, body). `recordComplete` is false when the
    /// capture ended before the message did; running out of bytes is then no error.
    private init(handshake: UnsafeRawBufferPointer, recordComplete: Bool) throws(DecodeError) {
        var reader = ByteReader(handshake)
        guard try reader.readUInt8() == 1 else { throw .invalidValue(field: "TLS handshake type", value: 0) }
        legacyVersion = 0
        // The segment may end inside the 4-byte handshake header itself.
        guard reader.remaining >= 3 || recordComplete else { return }
        let length = Int(try reader.readUInt8()) << 16 | Int(try reader.readUInt16())
        let captureEnded = !recordComplete || reader.remaining < length
        var body = try reader.subReader(min(length, reader.remaining))
        do throws(DecodeError) {
            legacyVersion = try body.readUInt16()
            try body.skip(32)  // random
            try body.skip(Int(try body.readUInt8()))  // legacy_session_id
            let cipherBytes = Int(try body.readUInt16())
            guard cipherBytes % 2 == 0 else { throw .invalidLength(field: "TLS cipher suites", value: cipherBytes) }
            var ciphers = try body.subReader(cipherBytes)
            cipherSuites.reserveCapacity(cipherBytes / 2)
            while !ciphers.isAtEnd { cipherSuites.append(try ciphers.readUInt16()) }
            try body.skip(Int(try body.readUInt8()))  // legacy_compression_methods
            // A hello without extensions ends here (allowed before TLS 1.3).
            if body.isAtEnd && !captureEnded {
                isComplete = true
                return
            }
            let listLength = Int(try body.readUInt16())
            // A cut capture still yields the extensions before the cut.
            var list = try body.subReader(captureEnded ? min(listLength, body.remaining) : listLength)
            var count = 0
            while !list.isAtEnd {
                count += 1
                guard count <= Self.maximumExtensions else {
                    throw .invalidLength(field: "TLS extension count", value: count)
                }
                let type = try list.readUInt16()
                var data = try list.subReader(Int(try list.readUInt16()))
                extensions.append(type)
                try readExtension(type, &data)
            }
            isComplete = !captureEnded
        } catch {
            // Out of bytes because the capture ended: keep what was read. Anything else is a lie.
            guard captureEnded, error.isTruncation else { throw error }
        }
    }

    private mutating func readExtension(_ type: UInt16, _ data: inout ByteReader) throws(DecodeError) {
        switch type {
        case 0x0000:  // server_name: list of (type, name)
            var list = try data.subReader(Int(try data.readUInt16()))
            while !list.isAtEnd {
                let nameType = try list.readUInt8()
                let name = try list.readBuffer(Int(try list.readUInt16()))
                if nameType == 0 && serverName == nil {
                    serverName = WireText.string(name, limit: WireText.maximumNameBytes)
                }
            }
        case 0x0010:  // application_layer_protocol_negotiation
            var list = try data.subReader(Int(try data.readUInt16()))
            while !list.isAtEnd {
                let name = try list.readBuffer(Int(try list.readUInt8()))
                if firstALPN == nil { firstALPN = Array(name) }
                if alpn.count < Self.maximumALPN { alpn.append(WireText.string(name, limit: 255)) }
            }
        case 0x002B:  // supported_versions (ClientHello form: one-byte length)
            var list = try data.subReader(Int(try data.readUInt8()))
            while list.remaining >= 2 { supportedVersions.append(try list.readUInt16()) }
        case 0x000D:  // signature_algorithms
            var list = try data.subReader(Int(try data.readUInt16()))
            while list.remaining >= 2 { signatureAlgorithms.append(try list.readUInt16()) }
        default:
            break
        }
    }

    /// GREASE values (RFC 8701 §2): 0x0A0A, 0x1A1A … 0xFAFA.
    @inline(__always)
    public static func isGREASE(_ value: UInt16) -> Bool { value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF }

    /// The JA4 TLS-client fingerprint (FoxIO JA4 specification, "JA4: TLS Client Fingerprinting"):
    /// `t` + version + SNI flag + cipher and extension counts + ALPN characters, then a truncated
    /// SHA-256 of the sorted cipher list, then one of the sorted extension list (without SNI and
    /// ALPN) and the signature algorithms in wire order. GREASE is ignored everywhere.
    public var ja4: String {
        let ciphers = cipherSuites.filter { !Self.isGREASE($0) }
        let allExtensions = extensions.filter { !Self.isGREASE($0) }
        let versions = supportedVersions.filter { !Self.isGREASE($0) }
        let version = versions.max() ?? legacyVersion
        var a = "t" + Self.versionText(version) + (extensions.contains(0x0000) ? "d" : "i")
        a += Self.twoDigits(ciphers.count) + Self.twoDigits(allExtensions.count) + alpnCharacters
        let cipherList = ciphers.sorted().map(Self.hex4).joined(separator: ",")
        let b = cipherList.isEmpty ? "000000000000" : SHA256.hexPrefix(of: cipherList, count: 12)
        let hashedExtensions = allExtensions.filter { $0 != 0x0000 && $0 != 0x0010 }.sorted()
        var extensionText = hashedExtensions.map(Self.hex4).joined(separator: ",")
        let algorithms = signatureAlgorithms.filter { !Self.isGREASE($0) }
        if !algorithms.isEmpty { extensionText += "_" + algorithms.map(Self.hex4).joined(separator: ",") }
        let c = hashedExtensions.isEmpty ? "000000000000" : SHA256.hexPrefix(of: extensionText, count: 12)
        return a + "_" + b + "_" + c
    }

    /// First and last character of the first ALPN value; its hex form's first and last when either
    /// byte is not alphanumeric; `00` without one.
    var alpnCharacters: String {
        guard let first = firstALPN, let head = first.first, let tail = first.last else { return "00" }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        if isAlphanumeric(head) && isAlphanumeric(tail) {
            return String(decoding: [head, tail], as: UTF8.self)
        }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(head >> 4)], digits[Int(tail & 0x0F)]], as: UTF8.self)
    }

    static func versionText(_ version: UInt16) -> String {
        switch version {
        case 0x0304: return "13"
        case 0x0303: return "12"
        case 0x0302: return "11"
        case 0x0301: return "10"
        case 0x0300: return "s3"
        case 0x0002: return "s2"
        case 0xFEFF: return "d1"
        case 0xFEFD: return "d2"
        case 0xFEFC: return "d3"
        default: return "00"
        }
    }

    static func twoDigits(_ count: Int) -> String {
        let value = min(count, 99)
        return value < 10 ? "0\(value)" : "\(value)"
    }

    static func hex4(_ value: UInt16) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(
            decoding: [
                digits[Int(value >> 12)], digits[Int(value >> 8 & 0xF)], digits[Int(value >> 4 & 0xF)],
                digits[Int(value & 0xF)],
            ], as: UTF8.self)
    }

    /// The fact form: JA4 (empty when the hello was cut short, see `isComplete`), SNI and ALPN.
    public var fingerprint: TLSClientFingerprint {
        TLSClientFingerprint(ja4: isComplete ? ja4 : "", serverName: serverName, alpn: alpn)
    }
}
