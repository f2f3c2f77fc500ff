/// The one protocol for everything that consumes what the pipeline learns — the classifier and every
/// anomaly detector. A stage is a value (usually a struct state machine): the pipeline owns it and calls
/// it from one thread only (the capture thread), with time passed in, so a stage never locks, never
/// reads a clock and is tested by feeding it inputs directly.
///
/// Inputs, in the order the pipeline delivers them for one frame: the frame's summary, its
/// observations, then the inventory changes they caused. Ticks arrive every `tick` interval (packet
/// time in replay, wall time live) with each device's counter deltas in one shape for both backends.
public protocol PipelineStage: Sendable {
    /// Stable, short identifier (`new_device`, `port_scan`, `classifier`), used in logs and metrics.
    var name: String { get }
    /// Which inputs this stage wants; the pipeline skips the rest (a frame-per-call stage costs on
    /// every packet).
    var inputs: StageInputs { get }
    mutating func frame(_ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput)
    mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput)
    mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput)
    mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput)
    /// How many entries the stage holds and how many it refused at its cap (for
    /// `lanscope_stage_state_entries` / `..._dropped_total`). Default: nothing tracked.
    var stateStatistics: StageStateStatistics { get }
}

extension PipelineStage {
    public mutating func frame(
        _ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput
    ) {}
    public mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {}
    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {}
    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {}
    public var stateStatistics: StageStateStatistics { StageStateStatistics() }
}

public struct StageInputs: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Every frame's summary (every frame in userspace backends; with eBPF, the frames the kernel hands up:
    /// discovery frames and rate-limited TCP SYNs).
    public static let frames = StageInputs(rawValue: 1 << 0)
    public static let observations = StageInputs(rawValue: 1 << 1)
    public static let changes = StageInputs(rawValue: 1 << 2)
    public static let ticks = StageInputs(rawValue: 1 << 3)
    /// Only the frames that carry an ARP message (`FrameSummary.arpOperation` non-zero): a stage that
    /// returns at once for any other frame says so, and the pipeline does not call it for the ordinary
    /// traffic that is most of a capture. Implied by `frames`.
    public static let arpFrames = StageInputs(rawValue: 1 << 4)
    /// Only TCP frames with SYN or RST set (connection attempts and their answers). Implied by `frames`.
    public static let tcpControlFrames = StageInputs(rawValue: 1 << 5)
    public static let all: StageInputs = [.frames, .observations, .changes, .ticks]

    /// Which of the frame inputs `frame` belongs to: `.arpFrames`, `.tcpControlFrames`, or neither (empty).
    public static func frameKind(of frame: FrameSummary) -> StageInputs {
        if frame.arpOperation != 0 { return .arpFrames }
        if frame.transport == 6 && frame.tcpFlags & (tcpSYN | tcpRST) != 0 { return .tcpControlFrames }
        return []
    }

    private static let tcpSYN: UInt8 = 0x02
    private static let tcpRST: UInt8 = 0x04

    /// True when a stage with these inputs wants a frame of `kind` (`frameKind(of:)`).
    public func wantsFrame(of kind: StageInputs) -> Bool {
        contains(.frames) || (!kind.isEmpty && contains(kind))
    }
}

/// Entries a stage holds and what its caps refused.
public struct StageStateStatistics: Sendable, Hashable {
    public var entries: Int
    public var dropped: UInt64
    public init(entries: Int = 0, dropped: UInt64 = 0) {
        self.entries = entries
        self.dropped = dropped
    }
}

/// Read access to the inventory for a stage while it runs. Implemented by the registry.
public protocol InventoryReader: Sendable {
    /// The device as the inventory knows it now (nil if unknown or expired).
    func device(_ mac: MACAddress) -> Device?
    /// The device as `device(_:)` gives it, except its `traffic`, which may be behind: for stages
    /// that read what a device is (its identity, facts and sightings) rather than what it sent, called
    /// per change or per reclassified device. Default: `device(_:)`.
    func identity(_ mac: MACAddress) -> Device?
    /// The MAC that most recently claimed `address` (ARP, DHCP, NDP...), if any.
    func holder(of address: IPAddress) -> MACAddress?
}

extension InventoryReader {
    public func identity(_ mac: MACAddress) -> Device? { device(mac) }
}

/// What a stage sees besides its input: the inventory, and whether the service is still in its
/// learning period (detectors that learn "normal" stay quiet until it ends).
public struct StageContext: Sendable {
    public var inventory: any InventoryReader
    /// True while the pipeline is learning (first start with an empty history): detectors learn
    /// baselines and bindings but raise no "new"/"changed" events.
    public var learning: Bool

    public init(inventory: any InventoryReader, learning: Bool = false) {
        self.inventory = inventory
        self.learning = learning
    }
}

/// What stages produce: events and classifications. The pipeline drains it after each call.
public struct StageOutput: Sendable {
    public var events: [AnomalyEvent] = []
    public var classifications: [(mac: MACAddress, classification: DeviceClassification)] = []
    public var links: [(mac: MACAddress, link: PrivateMACLink?)] = []

    public init() {}

    public mutating func raise(_ event: AnomalyEvent) { events.append(event) }
    public mutating func classify(_ mac: MACAddress, as classification: DeviceClassification) {
        classifications.append((mac, classification))
    }
    /// Links (or, with nil, unlinks) a private MAC to the device it belongs to.
    public mutating func link(_ mac: MACAddress, to link: PrivateMACLink?) { links.append((mac, link)) }
    public var isEmpty: Bool { events.isEmpty && classifications.isEmpty && links.isEmpty }
    public mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        classifications.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
    }
}

/// Counter deltas for every device the traffic source knows, since the previous tick. Built the same
/// way from the kernel's device table (eBPF) and from the registry (libpcap, file replay). A counter that
/// went backwards (the device was expired and came back) counts from zero.
public struct TrafficTick: Sendable {
    /// When the tick was taken (packet time in replay).
    public var time: Timestamp
    /// Time since the previous tick (zero for the first).
    public var interval: Duration
    public var deltas: [DeviceCounterDelta]
    /// True for the last tick of a source that is exhausted (end of a replay): stages flush what they
    /// hold back (a deferred event) because no later tick will come.
    public var isFinal: Bool

    public init(time: Timestamp, interval: Duration, deltas: [DeviceCounterDelta], isFinal: Bool = false) {
        self.time = time
        self.interval = interval
        self.deltas = deltas
        self.isFinal = isFinal
    }
}

public struct DeviceCounterDelta: Sendable, Hashable {
    public var mac: MACAddress
    public var transmittedBytes: UInt64
    public var transmittedPackets: UInt64
    public var receivedBytes: UInt64
    public var receivedPackets: UInt64
    /// When the device was last seen by the traffic source.
    public var lastSeen: Timestamp

    public init(
        mac: MACAddress, transmittedBytes: UInt64 = 0, transmittedPackets: UInt64 = 0, receivedBytes: UInt64 = 0,
        receivedPackets: UInt64 = 0, lastSeen: Timestamp
    ) {
        self.mac = mac
        self.transmittedBytes = transmittedBytes
        self.transmittedPackets = transmittedPackets
        self.receivedBytes = receivedBytes
        self.receivedPackets = receivedPackets
        self.lastSeen = lastSeen
    }

    public var totalBytes: UInt64 { transmittedBytes &+ receivedBytes }
}
