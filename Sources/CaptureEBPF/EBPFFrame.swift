public import LanscopeCore

/// A discovery frame handed up whole by the kernel side.
public struct EBPFFrame: Sendable {
    public enum Direction: String, Sendable {
        /// Received by the interface (XDP).
        case ingress
        /// Sent by the interface (TC egress).
        case egress
    }

    /// Frame bytes from the Ethernet header on, at most the snap length.
    public var bytes: [UInt8]
    /// Length of the frame on the wire; larger than `bytes.count` when it was truncated.
    public var wireLength: Int
    /// Wall-clock time the kernel saw the frame.
    public var time: Timestamp
    public var direction: Direction
    public var interfaceIndex: Int

    public init(bytes: [UInt8], wireLength: Int, time: Timestamp, direction: Direction, interfaceIndex: Int) {
        self.bytes = bytes
        self.wireLength = wireLength
        self.time = time
        self.direction = direction
        self.interfaceIndex = interfaceIndex
    }

    /// The frame as every capture backend hands it to decoding.
    public var capturedFrame: CapturedFrame { CapturedFrame(time: time, bytes: bytes, wireLength: wireLength) }
}
