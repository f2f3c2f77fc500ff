/// LanscopePipeline: one pass, one direction — frame bytes → decode → inventory → stages (classifier,
/// detectors) → pending history and recent events. Knows nothing of capture backends, SQLite or HTTP,
/// so a stage is tested here with a fake clock and no network. Imports the pure domain modules only.
import Inventory
import LanscopeCore
import PacketDecoding
import Synchronization

/// Driven by a single capture thread (`process`, `idle`, `noteDevices`, `finish`); readers (HTTP, the
/// history flush) take copies under locks. Every stage is called from that one thread only.
public final class Pipeline: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// How often stages receive a traffic tick and expiry runs (default 10 s; packet time in replay).
        public var tickInterval: Duration = .seconds(10)
        /// Devices not seen for this long leave the inventory at a tick (nil: never, as in file replay).
        public var deviceTTL: Duration? = nil
        /// How long after the first frame the stages run in learning mode (default 0: none). Used on a
        /// first start with an empty history, so a fresh install does not raise one event per device.
        public var learningPeriod: Duration = .zero
        /// Recent events kept per severity for `/alerts.json` (default 1000 each): a noisy detector
        /// cannot evict rare events of another severity.
        public var recentEventsPerSeverity: Int = 1000
        /// How long an event keeps `lanscope_anomaly_active{kind,mac}` at 1 after it (or after its end,
        /// for a span) (default 15 minutes).
        public var activeHold: Duration = .seconds(900)
        /// Most (kind, MAC) pairs exported as active at once (default 1000); more are counted in
        /// `lanscope_anomaly_active_refused_total`.
        public var maxActiveAnomalies: Int = 1000
        public init() {}
    }

    public let registry: DeviceRegistry
    public let configuration: Configuration
    /// The decoder for the link type of the latest frame; a capture has one link type, so this
    /// saves a dictionary lookup per frame.
    private var decoder: FrameDecoder?
    private var result = DecodeResult()
    private var local = PipelineStatistics()
    /// Discovery frames by `DiscoveryProtocol.ordinal` since the last publish, folded into
    /// `local.discoveryPackets` there: an array slot per frame instead of a dictionary update.
    private var discoveryCounts = [UInt64](repeating: 0, count: DiscoveryProtocol.allCases.count)
    private var framesSincePublish = 0
    private var stages: [any PipelineStage]
    /// The stages that want a frame, in stage order, by the frame's kind (`StageInputs.frameKind`): every
    /// frame, ARP frames, TCP SYN/RST frames. Most frames are none of the narrower kinds, so a stage that
    /// looks only at ARP or at connection attempts costs nothing on them.
    private let frameStages: [Int]
    private let arpFrameStages: [Int]
    private let tcpControlFrameStages: [Int]
    private let observationStages: [Int]
    private let changeStages: [Int]
    private let tickStages: [Int]
    private var output = StageOutput()
    private var changes: [InventoryChange] = []
    private let context: StageContext
    private var learningUntil: Timestamp?
    private var ticks: TickClock
    /// Counters read for ticks: the kernel's table when the backend counts there, else the registry.
    private let trafficReader: Mutex<(@Sendable () -> DeviceTrafficTable?)?> = Mutex(nil)
    private let published = Mutex(PipelineStatistics())
    /// What `takePendingHistory()` hands over, in two parts under their own locks: the evidence (with
    /// the devices it is about) apart from changes and events, so evidence kept on another thread
    /// (`keepEvidence(of:)`) does not contend with the capture thread's changes.
    private let pending = Mutex(PendingHistory())
    private let pendingEvidence = Mutex(HeldEvidence())

    /// Observations waiting for history and the devices they are about.
    private struct HeldEvidence: Sendable {
        var evidence = PendingEvidence()
        /// Devices with an observation since the last take (part of `PendingHistory.changedDevices`).
        var observedDevices: Set<MACAddress> = []
        /// The MAC last inserted into `observedDevices`: a repeat skips hashing it again.
        var lastObserved: MACAddress?
    }
    private let recentEvents: Mutex<RecentEvents>
    private let activeAnomalies: Mutex<ActiveAnomalies>
    private let eventSink: Mutex<(@Sendable (AnomalyEvent) -> Void)?> = Mutex(nil)
    private let tickSink: Mutex<(@Sendable (TrafficTick) -> Void)?> = Mutex(nil)

    /// Evidence and events gathered since the last `takePendingHistory()`: what the history writer stores.
    public struct PendingHistory: Sendable {
        /// Observations, grouped by device and fact (see `PendingEvidence`).
        public var evidence = PendingEvidence()
        public var anomalies: [AnomalyEvent] = []
        /// Devices with anything new since the last take: an observation (even a repeated one),
        /// a change or an event. A live flush writes these rows, so their `last_seen` moves on.
        public var changedDevices: Set<MACAddress> = []
        /// The subset of `changedDevices` whose stored row needs more than a later `last_seen`:
        /// created, a fact not seen before, an identity or classification change, an address
        /// claim, an event. A replay writes only these on the way and every device at the end.
        public var revisedDevices: Set<MACAddress> = []
        /// Inventory changes worth keeping (identity and classification changes, address claims).
        public var changes: [InventoryChange] = []
        /// Distinct (device, fact) pairs kept before the oldest batch is flushed (bounded memory).
        public static let capacity = 100_000
        /// Distinct observations (a time of a kept fact: 8 bytes each) kept at most (default 1,000,000).
        public static let observationCapacity = 1_000_000
        /// Every observation held, in no particular order.
        public var observations: [Observation] { evidence.observations }
        /// Most inventory changes kept between flushes.
        public static let changeCapacity = 20_000
        /// Size at which the set reserves room for `capacity` at once.
        static let earlyReserve = 8_192
    }

    public init(registry: DeviceRegistry, stages: [any PipelineStage], configuration: Configuration = .init()) {
        self.registry = registry
        self.configuration = configuration
        self.stages = stages
        frameStages = stages.indices.filter { stages[$0].inputs.wantsFrame(of: []) }
        arpFrameStages = stages.indices.filter { stages[$0].inputs.wantsFrame(of: .arpFrames) }
        tcpControlFrameStages = stages.indices.filter { stages[$0].inputs.wantsFrame(of: .tcpControlFrames) }
        observationStages = stages.indices.filter { stages[$0].inputs.contains(.observations) }
        changeStages = stages.indices.filter { stages[$0].inputs.contains(.changes) }
        tickStages = stages.indices.filter { stages[$0].inputs.contains(.ticks) }
        context = StageContext(inventory: registry)
        ticks = TickClock(interval: configuration.tickInterval)
        recentEvents = Mutex(RecentEvents(capacityPerSeverity: configuration.recentEventsPerSeverity))
        activeAnomalies = Mutex(
            ActiveAnomalies(hold: configuration.activeHold, capacity: configuration.maxActiveAnomalies))
        local.stages = stages.map { StageStatistics(name: $0.name) }
    }

    /// Where ticks read counters from (the eBPF backend's kernel table). Default: the registry.
    public func setTrafficReader(_ reader: @escaping @Sendable () -> DeviceTrafficTable?) {
        trafficReader.withLock { $0 = reader }
    }

    /// Called with every tick (its counter deltas) on the capture thread, after the stages: the history
    /// sampler keeps them for the next flush. Must return quickly.
    public func setTickSink(_ sink: @escaping @Sendable (TrafficTick) -> Void) {
        tickSink.withLock { $0 = sink }
    }

    /// Called with every event as it is raised (logging), on the capture thread.
    public func setEventSink(_ sink: @escaping @Sendable (AnomalyEvent) -> Void) {
        eventSink.withLock { $0 = sink }
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
        decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
        let (summary, discovery, error) = (result.summary, result.discovery, result.error)
        // Read in place: nothing the frame's processing does touches `result`.
        result.observations.withUnsafeBufferPointer { observations in
            processDecoded(
                summary, observations: observations, discovery: discovery, error: error,
                wireLength: wireLength, time: time, attribution: attribution, keepingEvidence: true)
        }
    }

    /// Processes every frame of `frames`, decoded ahead (a file replay decodes on a thread of its own),
    /// in order: everything `process` does after decoding, with the same result, reading the frames
    /// in place (none is copied out of the batch). `keepingEvidence` false leaves the frames'
    /// observations out of the pending history: the caller hands the batch to `keepEvidence(of:)`
    /// instead (on another thread), before it next reads or takes the pending history. `after` runs
    /// after each frame with its index, length on the wire and time.
    public func process(
        _ frames: DecodedFrames, attribution: DeviceRegistry.Attribution = .sourceAndDestination,
        keepingEvidence: Bool = true,
        after: (_ index: Int, _ wireLength: Int, _ time: Timestamp) -> Void = { _, _, _ in }
    ) {
        frames.withUnsafeFrames { held, observations in
            var start = 0
            for index in held.indices {
                let frame = held[index]
                processDecoded(
                    frame.summary,
                    observations: UnsafeBufferPointer(rebasing: observations[start..<frame.observationEnd]),
                    discovery: frame.discovery, error: frame.failed ? frames.error(of: index) : nil,
                    wireLength: frame.wireLength, time: frame.time, attribution: attribution,
                    keepingEvidence: keepingEvidence)
                start = frame.observationEnd
                after(index, frame.wireLength, frame.time)
            }
        }
    }

    /// Adds every observation of `frames` to the pending history, in order, as `process` does frame
    /// by frame; for batches processed with `keepingEvidence: false`. Safe from any thread (it
    /// touches only the pending history, under its lock); one caller at a time, batches in capture
    /// order. Returns the observations the pending set's caps left out, which the capture thread
    /// adds with `notePendingObservationsDropped`.
    public func keepEvidence(of frames: DecodedFrames) -> UInt64 {
        frames.observations.withUnsafeBufferPointer { keepForHistory($0) }
    }

    /// Counts observations `keepEvidence(of:)` left out (capture thread).
    public func notePendingObservationsDropped(_ dropped: UInt64) {
        local.pendingObservationsDropped &+= dropped
    }

    /// One decoded frame: statistics, stages, registry, pending history, ticks.
    private func processDecoded(
        _ summary: FrameSummary, observations: UnsafeBufferPointer<Observation>, discovery: DiscoveryProtocol?,
        error: DecodeFailure?, wireLength: Int, time: Timestamp, attribution: DeviceRegistry.Attribution,
        keepingEvidence: Bool
    ) {
        local.frames &+= 1
        local.bytes &+= UInt64(max(wireLength, 0))
        if local.lastFrameTime.map({ time > $0 }) ?? true { local.lastFrameTime = time }
        if let discovery { discoveryCounts[discovery.ordinal] &+= 1 }
        if let failure = error { local.decodeErrors[failure.layer, default: 0] &+= 1 }
        startLearning(at: time)

        let kind = StageInputs.frameKind(of: summary)
        let interested =
            kind == .arpFrames ? arpFrameStages : kind == .tcpControlFrames ? tcpControlFrameStages : frameStages
        if !interested.isEmpty {
            let context = currentContext(time)
            for i in interested { stages[i].frame(summary, at: time, context: context, output: &output) }
        }
        if !changes.isEmpty { changes.removeAll(keepingCapacity: true) }
        // One registry call (one lock) for the frame's traffic and its observations.
        registry.count(summary, at: time, attribution: attribution, recording: observations, changes: &changes)
        if !observations.isEmpty {
            local.observations &+= UInt64(observations.count)
            if keepingEvidence { local.pendingObservationsDropped &+= keepForHistory(observations) }
            if !observationStages.isEmpty {
                let context = currentContext(time)
                for o in observations {
                    for i in observationStages { stages[i].observation(o, context: context, output: &output) }
                }
            }
        }
        if !changes.isEmpty { deliver(changes, time: time) }
        if !output.isEmpty { drainOutput(time: time) }
        if ticks.due(at: time) { tick(at: time) }

        framesSincePublish += 1
        if framesSincePublish >= 4096 { publishStatistics() }
    }

    /// Devices known from elsewhere (the kernel's device table) without a frame: ensures they are in
    /// the inventory, so stages see them created. Capture thread only.
    public func noteDevices(_ sightings: [(MACAddress, Timestamp)]) {
        for (mac, time) in sightings {
            var summary = FrameSummary()
            summary.source = mac
            startLearning(at: time)
            let created = registry.count(summary, at: time, attribution: .sourceOnly)
            if !created.isEmpty { deliver(created, time: time) }
        }
        if !output.isEmpty, let time = local.lastFrameTime ?? sightings.last?.1 { drainOutput(time: time) }
    }

    /// No frame arrived for a while: runs a tick when one is due at `now` and publishes statistics.
    /// Capture thread only; live backends call it from their poll loop (≤ 1 s apart).
    public func idle(now: Timestamp) {
        if ticks.due(at: now) { tick(at: now) }
        publishStatistics()
    }

    /// The source is exhausted (end of a replay): a last tick so stages see the final counters and
    /// flush what they hold (e.g. the classifier's pending devices).
    public func finish(at time: Timestamp) {
        tick(at: time, final: true)
        publishStatistics()
    }

    /// Runs a tick now: expiry, counter deltas to the tick stages, then their output. `final`: the
    /// source is exhausted (`TrafficTick.isFinal`).
    public func tick(at time: Timestamp, final: Bool = false) {
        let interval = ticks.fire(at: time)
        if let ttl = configuration.deviceTTL {
            let expired = registry.expire(notSeenSince: time - ttl, now: time)
            if !expired.isEmpty { deliver(expired, time: time) }
        }
        let sink = tickSink.withLock { $0 }
        if !tickStages.isEmpty || sink != nil {
            let reader = trafficReader.withLock { $0 }
            let table = reader?() ?? registry.trafficTable()
            let tick = TrafficTick(time: time, interval: interval, deltas: ticks.deltas(from: table), isFinal: final)
            let context = currentContext(time)
            for i in tickStages { stages[i].tick(tick, context: context, output: &output) }
            sink?(tick)
        }
        if !output.isEmpty { drainOutput(time: time) }
        for i in stages.indices {
            let state = stages[i].stateStatistics
            local.stages[i].entries = state.entries
            local.stages[i].dropped = state.dropped
        }
    }

    private func currentContext(_ time: Timestamp) -> StageContext {
        var context = self.context
        if let until = learningUntil { context.learning = time < until }
        return context
    }

    private func startLearning(at time: Timestamp) {
        guard learningUntil == nil else { return }
        learningUntil = time + configuration.learningPeriod
    }

    private func deliver(_ changes: [InventoryChange], time: Timestamp) {
        var kept: [InventoryChange] = []
        for change in changes {
            switch change {
            case .created: local.devicesCreated &+= 1
            case .identityChanged, .addressClaimed: kept.append(change)
            case .updated, .expired: break
            }
        }
        if changes.contains(where: { if case .expired = $0 { return false } else { return true } }) {
            pending.withLock { p in
                for change in changes {
                    if case .expired = change { continue }
                    p.changedDevices.insert(change.mac)
                    p.revisedDevices.insert(change.mac)
                }
                for change in kept {
                    if p.changes.count < PendingHistory.changeCapacity {
                        p.changes.append(change)
                    } else {
                        local.pendingChangesDropped &+= 1
                    }
                }
            }
        }
        guard !changeStages.isEmpty else { return }
        let context = currentContext(time)
        for change in changes {
            for i in changeStages { stages[i].change(change, context: context, output: &output) }
        }
    }

    /// Applies what the stages produced: classifications into the registry (their changes go back to
    /// the change stages once), events to history, the recent rings, metrics and the sink.
    private func drainOutput(time: Timestamp) {
        var rounds = 0
        while !output.isEmpty && rounds < 4 {
            rounds += 1
            let produced = output
            output.removeAll()
            var classificationChanges: [InventoryChange] = []
            for (mac, link) in produced.links { registry.link(mac, to: link) }
            for (mac, classification) in produced.classifications {
                local.classifications &+= 1
                classificationChanges += registry.classify(mac, as: classification, at: time)
            }
            if !produced.events.isEmpty { record(produced.events) }
            if !classificationChanges.isEmpty { deliver(classificationChanges, time: time) }
        }
        if !output.isEmpty {
            // A stage kept answering its own output: cut the loop rather than spin on the capture thread.
            local.stageOutputDropped &+= UInt64(output.events.count + output.classifications.count + output.links.count)
            output.removeAll()
        }
    }

    private func record(_ events: [AnomalyEvent]) {
        // A closing event ends an anomaly already counted; it is kept (history, /alerts.json) but not counted again.
        for event in events where !event.isClosing {
            local.anomalies[.init(kind: event.kind, severity: event.severity), default: 0] &+= 1
        }
        pending.withLock { p in
            p.anomalies += events
            for event in events {
                if let mac = event.mac {
                    p.changedDevices.insert(mac)
                    p.revisedDevices.insert(mac)
                }
            }
        }
        let evicted = recentEvents.withLock { ring in
            events.reduce(into: [Severity: UInt64]()) { counts, event in
                if ring.append(event) { counts[event.severity, default: 0] &+= 1 }
            }
        }
        for (severity, n) in evicted { local.eventsEvicted[severity, default: 0] &+= n }
        activeAnomalies.withLock { active in for event in events { active.note(event) } }
        if let sink = eventSink.withLock({ $0 }) { for event in events { sink(event) } }
        // /alerts.json and lanscope_anomaly_active show the event at once; lanscope_anomalies_total must
        // too, or a scrape in between sees an active anomaly whose count has not grown (end to end, the
        // gateway ARP-spoof rule then fired as the non-gateway one for a second). Events are rare.
        publishStatistics()
    }

    /// Returns how many observations the caps left out.
    private func keepForHistory(_ observations: UnsafeBufferPointer<Observation>) -> UInt64 {
        var dropped: UInt64 = 0
        pendingEvidence.withLock { p in
            // A set this large is heading for the cap: grow it once rather than doubling (and
            // rehashing every observation) four more times on the capture thread.
            if p.evidence.factCount >= PendingHistory.earlyReserve && p.evidence.capacity < PendingHistory.capacity {
                p.evidence.reserveCapacity(PendingHistory.capacity)
            }
            for o in observations.indices {
                // A frame's observations are mostly about one device, often the previous frame's.
                let mac = observations[o].mac
                if mac != p.lastObserved {
                    p.observedDevices.insert(mac)
                    p.lastObserved = mac
                }
                if !p.evidence.insert(
                    observations[o], maxFacts: PendingHistory.capacity,
                    maxObservations: PendingHistory.observationCapacity)
                {
                    dropped &+= 1
                }
            }
        }
        return dropped
    }

    /// Makes the latest counters visible to `statistics()` (called every few thousand frames and at idle).
    public func publishStatistics() {
        framesSincePublish = 0
        for (ordinal, count) in discoveryCounts.enumerated() where count != 0 {
            local.discoveryPackets[DiscoveryProtocol.allCases[ordinal], default: 0] &+= count
            discoveryCounts[ordinal] = 0
        }
        let snapshot = local
        published.withLock { $0 = snapshot }
    }

    public func statistics() -> PipelineStatistics { published.withLock { $0 } }

    /// Observations waiting for the next history flush.
    public var pendingObservationCount: Int { pendingEvidence.withLock { $0.evidence.observationCount } }

    /// Distinct (device, fact) pairs and observations waiting for the next history flush.
    public var pendingEvidenceCount: (facts: Int, observations: Int) {
        pendingEvidence.withLock { ($0.evidence.factCount, $0.evidence.observationCount) }
    }

    /// Hands over what the history store has not seen yet.
    public func takePendingHistory() -> PendingHistory {
        // The one place both locks are held, always in this order.
        pending.withLock { p in
            var taken = p
            p = PendingHistory()
            pendingEvidence.withLock { held in
                taken.evidence = held.evidence
                taken.changedDevices.formUnion(held.observedDevices)
                held = HeldEvidence()
            }
            return taken
        }
    }

    /// Recent anomaly events, newest first, optionally only those at or after `since`.
    public func recentAnomalies(since: Timestamp? = nil) -> [AnomalyEvent] {
        recentEvents.withLock { $0.events(since: since) }
    }

    /// Seeds the in-memory event rings and active pairs (e.g. from history at start-up).
    public func restoreAnomalies(_ events: [AnomalyEvent]) {
        let ordered = events.sorted(by: { $0.time < $1.time })
        recentEvents.withLock { r in for e in ordered { _ = r.append(e) } }
        activeAnomalies.withLock { active in for e in ordered { active.note(e) } }
    }

    /// (kind, MAC) pairs with an anomaly active at `now`, sorted, and how many pairs the cap refused.
    public func activeAnomalies(at now: Timestamp) -> (active: [(kind: AnomalyKind, mac: MACAddress)], refused: UInt64)
    {
        activeAnomalies.withLock { active in
            active.prune(before: now)
            return (active.active(at: now).map { ($0.kind, $0.mac) }, active.refused)
        }
    }
}
