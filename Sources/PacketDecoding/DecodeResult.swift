import LanscopeCore

/// What one frame yielded. The pipeline keeps one and reuses it across frames, so the
/// observation buffer keeps its capacity and the common path allocates nothing.
public struct DecodeResult: Sendable {
    public var summary = FrameSummary()
    /// Reused buffer: cleared, capacity kept, by `reset()`.
    public var observations: [Observation] = []
    /// The discovery protocol decoded, for `lanscope_discovery_packets_total{protocol}`.
    public var discovery: DiscoveryProtocol?
    /// Set when a layer failed to decode, for `lanscope_decode_errors_total{protocol}`.
    public var error: DecodeFailure?
    /// mDNS messages already decoded, for repeats (see `MDNSRepeats`). Kept across frames: `reset()`
    /// leaves it, so a result reused for a capture recognises a host's repeated announcements.
    public var mdnsRepeats = MDNSRepeats()

    public init() {}

    public mutating func reset() {
        summary = Self.emptySummary
        // Most frames carry none: emptying an empty array still costs a call and a uniqueness check.
        if !observations.isEmpty { observations.removeAll(keepingCapacity: true) }
        discovery = nil
        if error != nil { error = nil }
    }

    private static let emptySummary = FrameSummary()
}

/// A decoding failure: the layer that rejected the frame and why.
public struct DecodeFailure: Sendable, Hashable, CustomStringConvertible {
    public var layer: DiscoveryProtocol
    public var reason: String

    public init(layer: DiscoveryProtocol, reason: String) {
        self.layer = layer
        self.reason = reason
    }

    public init(layer: DiscoveryProtocol, error: DecodeError) {
        self.init(layer: layer, reason: error.description)
    }

    public var description: String { "\(layer.rawValue): \(reason)" }
}
