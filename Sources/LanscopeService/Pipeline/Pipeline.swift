import Detection
import Inventory
import LanscopeCore
import PacketDecoding
import Synchronization

/// One pass, one direction: frame bytes → decode → inventory → detectors → (evidence, events).
/// Driven by a single capture thread; readers (HTTP, history flush) take copies under locks.
public final class Pipeline: @unchecked Sendable {
    public let registry: DeviceRegistry
    /// The decoder for the link type of the latest frame; a capture has one link type, so this
    /// saves a dictionary lookup per frame.
    private var decoder: FrameDecoder?
    private var result = DecodeResult()
    private var local = PipelineStatistics()
    private var framesSincePublish = 0
    private var newDevices: NewDeviceDetector
    private let published = Mutex(PipelineStatistics())
    private let pending = Mutex(PendingHistory())
    private let recentEvents = Mutex(RecentEvents(capacity: 1000))
    private let onEvent: (@Sendable (AnomalyEvent) -> Void)?

    /// Evidence and events gathered since the last `takePendingHistory()`: what the history writer stores.
    public struct PendingHistory: Sendable {
        public var observations: Set<Observation> = []
        public var anomalies: [AnomalyEvent] = []
        public var changedDevices: Set<MACAddress> = []
        /// Distinct observations kept before the oldest batch is flushed (bounded memory).
        public static let capacity = 100_000
        /// Size at which the set reserves room for `capacity` at once.
        static let earlyReserve = 8_192
        public var overflowed: UInt64 = 0
    }

    public init(
        registry: DeviceRegistry, knownDevices: some Sequence<MACAddress>,
        onEvent: (@Sendable (AnomalyEvent) -> Void)? = nil
    ) {
        self.registry = registry
        self.newDevices = NewDeviceDetector(known: knownDevices)
        self.onEvent = onEvent
    }

    /// Processes one frame. `bytes` is valid only during the call.
    public func process(
        _ bytes: UnsafeRawBufferPointer, wireLength: Int, time: Timestamp, linkType: LinkType,
        attribution: DeviceRegistry.Attribution = .sourceAndDestination
    ) {
        let decoder: FrameDecoder
        if let existing = self.decoder, existing.linkType == linkType {
            decoder = existing
        } else {
            decoder = FrameDecoder(linkType: linkType)
            self.decoder = decoder
        }
        result.reset()
        decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)

        local.frames &+= 1
        local.bytes &+= UInt64(max(wireLength, 0))
        if local.lastFrameTime.map({ time > $0 }) ?? true { local.lastFrameTime = time }
        if let discovery = result.discovery { local.discoveryPackets[discovery, default: 0] &+= 1 }
        if let failure = result.error { local.decodeErrors[failure.layer, default: 0] &+= 1 }

        var created = registry.count(result.summary, at: time, attribution: attribution)
        if !result.observations.isEmpty {
            local.observations &+= UInt64(result.observations.count)
            created += registry.record(result.observations)
            let observations = result.observations
            pending.withLock { p in
                // A set this large is heading for the cap: grow it once rather than doubling (and
                // rehashing every observation) four more times on the capture thread.
                if p.observations.count >= PendingHistory.earlyReserve
                    && p.observations.capacity < PendingHistory.capacity
                {
                    p.observations.reserveCapacity(PendingHistory.capacity)
                }
                for o in observations {
                    p.changedDevices.insert(o.mac)
                    if p.observations.count < PendingHistory.capacity {
                        p.observations.insert(o)
                    } else {
                        p.overflowed &+= 1
                    }
                }
            }
        }
        if !created.isEmpty { raiseNewDeviceEvents(created, time: time) }

        framesSincePublish += 1
        if framesSincePublish >= 4096 { publishStatistics() }
    }

    /// Devices known from elsewhere (the kernel's counter map) without a frame: ensures they are in
    /// the inventory and raises `new_device` for first sightings. Capture thread only.
    public func noteDevices(_ sightings: [(MACAddress, Timestamp)]) {
        for (mac, time) in sightings {
            var summary = FrameSummary()
            summary.source = mac
            let created = registry.count(summary, at: time, attribution: .sourceOnly)
            if !created.isEmpty { raiseNewDeviceEvents(created, time: time) }
        }
    }

    private func raiseNewDeviceEvents(_ macs: [MACAddress], time: Timestamp) {
        for mac in macs {
            let vendor = registry.device(mac)?.vendor
            guard let event = newDevices.deviceAppeared(mac, at: time, vendor: vendor) else { continue }
            local.anomalies[.init(kind: event.kind, severity: event.severity), default: 0] &+= 1
            pending.withLock {
                $0.anomalies.append(event); $0.changedDevices.insert(mac)
            }
            recentEvents.withLock { $0.append(event) }
            onEvent?(event)
        }
        pending.withLock { p in for mac in macs { p.changedDevices.insert(mac) } }
    }

    /// Makes the latest counters visible to `statistics()` (called every few thousand frames and at idle).
    public func publishStatistics() {
        framesSincePublish = 0
        let snapshot = local
        published.withLock { $0 = snapshot }
    }

    public func statistics() -> PipelineStatistics { published.withLock { $0 } }

    /// Hands over what the history store has not seen yet.
    public func takePendingHistory() -> PendingHistory {
        pending.withLock { p in
            let taken = p
            p = PendingHistory()
            return taken
        }
    }

    /// Recent anomaly events, newest first, optionally only those at or after `since`.
    public func recentAnomalies(since: Timestamp? = nil) -> [AnomalyEvent] {
        recentEvents.withLock { $0.events(since: since) }
    }

    /// Seeds the in-memory event list (e.g. from history at start-up).
    public func restoreAnomalies(_ events: [AnomalyEvent]) {
        recentEvents.withLock { r in for e in events.sorted(by: { $0.time < $1.time }) { r.append(e) } }
    }
}

/// A bounded ring of recent events.
struct RecentEvents: Sendable {
    let capacity: Int
    private var buffer: [AnomalyEvent] = []
    private var start = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(_ e: AnomalyEvent) {
        if buffer.count < capacity { buffer.append(e) } else { buffer[start] = e; start = (start + 1) % capacity }
    }

    func events(since: Timestamp?) -> [AnomalyEvent] {
        let ordered = Array(buffer[start...] + buffer[..<start])
        return ordered.reversed().filter { since == nil || $0.time >= since! }
    }
}
