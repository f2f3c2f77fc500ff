public import LanscopeCore

/// One traffic source ingested into history: a capture file or a live run.
public struct CaptureRecord: Sendable, Hashable {
    /// Identifies the source across runs: a content hash for a file (so replaying the same file
    /// again lands on the same key), a run id for live capture.
    public var captureKey: String
    /// Human description, e.g. the file path or `live eth0`.
    public var source: String
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    /// Frames read from the source so far.
    public var packets: UInt64
    /// When this source was first ingested; a later write with the same key keeps the earliest.
    public var ingestedAt: Timestamp

    public init(
        captureKey: String, source: String, firstPacket: Timestamp?, lastPacket: Timestamp?, packets: UInt64,
        ingestedAt: Timestamp
    ) {
        self.captureKey = captureKey
        self.source = source
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        self.packets = packets
        self.ingestedAt = ingestedAt
    }
}
