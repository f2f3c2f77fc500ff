public import LanscopeCore

/// Everything one `HistoryStore.write` stores, in one transaction.
public struct HistoryBatch: Sendable {
    /// Devices merged into their stored rows (`Device.traffic` is ignored: traffic arrives per
    /// capture in `traffic`).
    public var devices: [Device]
    /// Observations, each becoming (or refreshing) one evidence row.
    public var observations: [Observation]
    public var anomalies: [AnomalyEvent]
    /// Identity changes (`InventoryChange.identityChanged`, classification included); other changes are
    /// ignored. Stored once per (MAC, time, field, new value).
    public var changes: [InventoryChange]
    /// The capture this batch came from; required when `traffic` is not empty.
    public var capture: CaptureRecord?
    /// Per-device counters for `capture`, cumulative for that capture: they replace what was
    /// stored for the same (MAC, capture key), so replaying a file twice counts it once.
    public var traffic: [MACAddress: TrafficCounters]

    public init(
        devices: [Device] = [], observations: [Observation] = [], anomalies: [AnomalyEvent] = [],
        changes: [InventoryChange] = [], capture: CaptureRecord? = nil, traffic: [MACAddress: TrafficCounters] = [:]
    ) {
        self.changes = changes
        self.devices = devices
        self.observations = observations
        self.anomalies = anomalies
        self.capture = capture
        self.traffic = traffic
    }
}
