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
    /// Devices the inventory created.
    public var devicesCreated: UInt64 = 0
    /// Observations not kept for history because the pending set was full until the next flush
    /// (`lanscope_store_observations_dropped_total`).
    public var pendingObservationsDropped: UInt64 = 0
    /// Inventory changes not kept for history because the pending list was full.
    public var pendingChangesDropped: UInt64 = 0
    /// Events pushed out of the recent-events ring of their severity (`/alerts.json` no longer shows them;
    /// history keeps them).
    public var eventsEvicted: [Severity: UInt64] = [:]
    /// Classifications the stages produced.
    public var classifications: UInt64 = 0
    /// Stage output cut because stages kept answering each other.
    public var stageOutputDropped: UInt64 = 0
    /// Each stage's state size and cap refusals, in stage order.
    public var stages: [StageStatistics] = []

    public init() {}

    public struct AnomalyKey: Sendable, Hashable, Comparable {
        public var kind: AnomalyKind
        public var severity: Severity
        public init(kind: AnomalyKind, severity: Severity) { self.kind = kind; self.severity = severity }
        public static func < (a: AnomalyKey, b: AnomalyKey) -> Bool {
            (a.kind.rawValue, a.severity.rawValue) < (b.kind.rawValue, b.severity.rawValue)
        }
    }
}

/// One stage's state as last reported at a tick.
public struct StageStatistics: Sendable, Hashable {
    public var name: String
    public var entries: Int = 0
    public var dropped: UInt64 = 0
    public init(name: String) { self.name = name }
}
