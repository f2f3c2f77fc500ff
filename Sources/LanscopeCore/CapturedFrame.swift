/// One frame as a capture backend hands it over: bytes from the start of the Ethernet header.
public struct CapturedFrame: Sendable {
    public var time: Timestamp
    /// Bytes captured (may be shorter than `wireLength` when the snap length cut it).
    public var bytes: [UInt8]
    public var wireLength: Int
    public init(time: Timestamp, bytes: [UInt8], wireLength: Int) {
        self.time = time; self.bytes = bytes; self.wireLength = wireLength
    }
}

/// Link-layer framings lanscope decodes (pcap LINKTYPE_* numbers).
public enum LinkType: Int32, Sendable, Hashable {
    case ethernet = 1
    case linuxSLL = 113
    case linuxSLL2 = 276
}
