public import LanscopeCore

/// Everything one `HistoryStore.write` stores, in one transaction.
public struct HistoryBatch: Sendable {
    /// Devices merged into their stored rows (`Device.traffic` is ignored: traffic arrives per
    /// capture in `traffic`).
    public var devices: [Device]
    /// Observations, each becoming (or refreshing) one evidence row.
    public var observations: [Observation]
    /// Observations already grouped by device and fact, each group standing for one observation per
    /// time: stored exactly as the same observations in `observations` would be (a batch may carry
    /// both). An array of `FactTimes` is one form; a replay hands its pending evidence over as it
    /// holds it, so it is neither flattened into one `Observation` per time nor copied into an array
    /// on the writing thread: the store's helper thread reads it (`EvidenceRowsAhead`).
    public var factTimes: any GroupedFacts
    public var anomalies: [AnomalyEvent]
    /// Identity changes (`InventoryChange.identityChanged`, classification included); other changes are
    /// ignored. Stored once per (MAC, time, field, new value).
    public var changes: [InventoryChange]
    /// The capture this batch came from; required when `traffic` is not empty.
    public var capture: CaptureRecord?
    /// Per-device counters for `capture`, cumulative for that capture: they replace what was
    /// stored for the same (MAC, capture key), so replaying a file twice counts it once.
    public var traffic: [MACAddress: TrafficCounters]
    /// Live traffic samples (raw tier). Added to a stored sample for the same (MAC, tier, start), so a
    /// partial interval written at shutdown and the rest written after a restart sum up.
    public var samples: [TrafficSample]
    /// Sightings since the previous batch, one span per device (first to last sighting): each extends
    /// the device's latest stored span when it starts within the store's `presenceGap` of its end,
    /// else starts a new span.
    public var presence: [PresenceSpan]

    public init(
        devices: [Device] = [], observations: [Observation] = [], anomalies: [AnomalyEvent] = [],
        changes: [InventoryChange] = [], capture: CaptureRecord? = nil, traffic: [MACAddress: TrafficCounters] = [:],
        samples: [TrafficSample] = [], presence: [PresenceSpan] = [],
        factTimes: any GroupedFacts = [FactTimes]()
    ) {
        self.factTimes = factTimes
        self.samples = samples
        self.presence = presence
        self.changes = changes
        self.devices = devices
        self.observations = observations
        self.anomalies = anomalies
        self.capture = capture
        self.traffic = traffic
    }
}

extension HistoryBatch {
    /// One fact about one device and the times it was observed (one observation per time; repeated
    /// times count once, as the same observation repeated does).
    public struct FactTimes: Sendable, Hashable {
        public var mac: MACAddress
        public var fact: Fact
        public var times: [Timestamp]

        public init(mac: MACAddress, fact: Fact, times: [Timestamp]) {
            self.mac = mac
            self.fact = fact
            self.times = times
        }
    }
}

/// Observations grouped by device and fact (`HistoryBatch.factTimes`).
public protocol GroupedFacts: Sendable {
    /// How many groups there are, at most (whether grouping them is worth a helper thread).
    var groupCount: Int { get }
    /// The devices with at least one group that has a time.
    var devicesWithTimes: Set<MACAddress> { get }
    /// Visits each group: its device, its fact and the times it was observed (in any order; a
    /// repeated time counts once).
    func forEachGroup(_ body: (_ mac: MACAddress, _ fact: Fact, _ times: [Timestamp]) -> Void)
}

extension Array: GroupedFacts where Element == HistoryBatch.FactTimes {
    public var groupCount: Int { count }

    public var devicesWithTimes: Set<MACAddress> { Set(lazy.filter { !$0.times.isEmpty }.map(\.mac)) }

    public func forEachGroup(_ body: (_ mac: MACAddress, _ fact: Fact, _ times: [Timestamp]) -> Void) {
        for group in self { body(group.mac, group.fact, group.times) }
    }
}

/// The groups of `base` about devices outside `excluded` (those the device cap refused).
struct ExcludingDevices: GroupedFacts {
    let base: any GroupedFacts
    let excluded: Set<MACAddress>

    var groupCount: Int { base.groupCount }

    var devicesWithTimes: Set<MACAddress> { base.devicesWithTimes.subtracting(excluded) }

    func forEachGroup(_ body: (_ mac: MACAddress, _ fact: Fact, _ times: [Timestamp]) -> Void) {
        base.forEachGroup { mac, fact, times in if !excluded.contains(mac) { body(mac, fact, times) } }
    }
}
