import LanscopeCore

extension TCPSignature {
    /// Longest option list a TCP header can hold (data offset 15 → 60 bytes, RFC 9293 §3.1).
    static let maximumOptionBytes = 40

    /// Builds the signature of a SYN from its IP fields and its option bytes, walked once in wire
    /// order: EOL (0) ends the list (what follows is padding), NOP (1) is one byte, every other
    /// option has a length of at least 2 that must fit the header. MSS (2) and window scale (3) keep
    /// their values when they have their defined lengths (4 and 3).
    public init(
        ipVersion: UInt8, ttl: UInt8, dontFragment: Bool, window: UInt16, parsingOptions bytes: UnsafeRawBufferPointer
    ) throws(DecodeError) {
        guard bytes.count <= Self.maximumOptionBytes else {
            throw .invalidLength(field: "TCP options", value: bytes.count)
        }
        var reader = ByteReader(bytes)
        var kinds: [UInt8] = []
        var mss: UInt16?
        var windowScale: UInt8?
        while !reader.isAtEnd {
            let kind = try reader.readUInt8()
            kinds.append(kind)
            if kind == 0 { break }
            if kind == 1 { continue }
            let length = Int(try reader.readUInt8())
            guard length >= 2 else { throw .invalidLength(field: "TCP option", value: length) }
            var value = try reader.subReader(length - 2)
            if kind == 2 && length == 4 { mss = try value.readUInt16() }
            if kind == 3 && length == 3 { windowScale = try value.readUInt8() }
        }
        self.init(
            ipVersion: ipVersion, ttl: ttl, dontFragment: dontFragment, window: window, options: kinds, mss: mss,
            windowScale: windowScale)
    }

    public init(
        ipVersion: UInt8, ttl: UInt8, dontFragment: Bool, window: UInt16, parsingOptions bytes: [UInt8]
    ) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> TCPSignature in
            try TCPSignature(
                ipVersion: ipVersion, ttl: ttl, dontFragment: dontFragment, window: window, parsingOptions: buffer)
        }
    }
}
