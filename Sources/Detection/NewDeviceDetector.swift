/// Detection: anomaly detectors as small state machines fed by the pipeline through `PipelineStage`
/// (observations, frame summaries, inventory changes, traffic ticks), with time passed in (never read).
/// Each raises events into the stage output; the pipeline stores and exports them. Imports only
/// LanscopeCore.
import LanscopeCore

/// Raises `new_device` the first time a MAC appears that history has never seen (arpwatch's
/// "new station"). Seeded with the MACs already known so restarts and replays stay quiet; during the
/// pipeline's learning period it learns MACs without raising events.
///
/// A private (locally administered) MAC that the identification stage links to a known device
/// (`Device.privateMACLink`: a phone rotating its Wi-Fi MAC) is not new. The link usually arrives a
/// few frames after the MAC is created (its DHCP REQUEST carries the client identifier), so a new
/// private MAC is held for `privateMACDeferral` and raised at the first tick after that (ticks come
/// every 10 s by default), or at the final tick of a replay, only if it is still unlinked; the event
/// keeps the time the MAC was first seen.
public struct NewDeviceDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Most MACs remembered (default 65536); past it, new MACs are not remembered (counted in
        /// `stateStatistics.dropped`) and may be reported again after they expire and return.
        public var maxKnown: Int = 65_536
        /// How long a new private MAC waits for a link to a known device before it is reported
        /// (default 60 s; zero reports at once).
        public var privateMACDeferral: Duration = .seconds(60)
        /// Most private MACs waiting at once (default 4096); past it they are reported without waiting
        /// (counted in `stateStatistics.dropped`).
        public var maxPending: Int = 4_096
        public init() {}
    }

    public let name = "new_device"
    public let inputs: StageInputs = [.changes, .ticks]
    private var known: Set<MACAddress>
    private let configuration: Configuration
    private var dropped: UInt64 = 0
    /// Private MACs waiting for a link: MAC → first seen.
    private var pending: [MACAddress: Timestamp] = [:]

    public init(known: some Sequence<MACAddress>, configuration: Configuration = .init()) {
        self.configuration = configuration
        self.known = Set(known.prefix(configuration.maxKnown))
    }

    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        guard case .created(let mac, let time) = change, mac.isUnicastDevice, !known.contains(mac) else { return }
        if known.count < configuration.maxKnown { known.insert(mac) } else { dropped &+= 1 }
        guard !context.learning else { return }
        let device = context.inventory.identity(mac)
        if device?.privateMACLink != nil { return }
        if mac.isLocallyAdministered && configuration.privateMACDeferral > .zero {
            if pending.count < configuration.maxPending {
                pending[mac] = time
                return
            }
            dropped &+= 1
        }
        output.raise(NewDeviceDetector.event(mac: mac, time: time, device: device))
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        if !pending.isEmpty { releasePending(at: tick.time, flushing: tick.isFinal, context: context, output: &output) }
    }

    /// Reports the waiting private MACs whose deferral is over and that are still unlinked, oldest first.
    private mutating func releasePending(
        at time: Timestamp, flushing: Bool, context: StageContext,
        output: inout StageOutput
    ) {
        let due = pending.filter { flushing || time - $0.value >= configuration.privateMACDeferral }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        for (mac, firstSeen) in due {
            pending[mac] = nil
            let device = context.inventory.identity(mac)
            guard device?.privateMACLink == nil else { continue }
            output.raise(NewDeviceDetector.event(mac: mac, time: firstSeen, device: device))
        }
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: known.count + pending.count, dropped: dropped)
    }

    static func event(mac: MACAddress, time: Timestamp, device: Device?) -> AnomalyEvent {
        var details: [String: String] = [:]
        let vendor = device?.vendor
        if let vendor { details["vendor"] = vendor }
        if let hostname = device?.hostname { details["hostname"] = hostname }
        if let address = device?.sortedAddresses.first { details["ip"] = address.description }
        if mac.isLocallyAdministered { details["locally_administered"] = "true" }
        let who = vendor.map { " (\($0))" } ?? (mac.isLocallyAdministered ? " (randomised MAC)" : "")
        return AnomalyEvent(
            time: time, kind: .newDevice, severity: .info, mac: mac,
            summary: "new device \(mac)\(who)", details: details)
    }
}
