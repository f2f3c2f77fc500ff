import LanscopeCore

/// Counters the pipeline keeps about itself; exported as metrics.
public struct PipelineStatistics: Sendable, Hashable {
    /// Frames processed and their wire bytes.
    public var frames: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Discovery frames decoded, by protocol (`lanscope_discovery_packets_total{protocol}`).
    public var discoveryPackets: [DiscoveryProtocol: UInt64] = [:]
    /// Frames whose decoding failed, by the protocol layer that failed (`lanscope_decode_errors_total`).
    public var decodeErrors: [DiscoveryProtocol: UInt64] = [:]
    /// Anomaly events raised, by kind and severity.
    public var anomalies: [AnomalyKey: UInt64] = [:]
    /// Observations made (facts about devices).
    public var observations: UInt64 = 0
    /// Time of the newest frame (the replay clock).
    public var lastFrameTime: Timestamp? = nil

    public init() {}

    public struct AnomalyKey: Sendable, Hashable, Comparable {
        public var kind: AnomalyKind
        public var severity: Severity
        public static func < (a: AnomalyKey, b: AnomalyKey) -> Bool { (a.kind.rawValue, a.severity.rawValue) < (b.kind.rawValue, b.severity.rawValue) }
    }
}
