/// Encoder output: the bytes and what was left out of them.
public struct EncodedExposition: Sendable {
    public var bytes: [UInt8]
    public var report: EncodingReport
}
