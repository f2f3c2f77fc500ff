/// Detection: anomaly detectors as small state machines fed by the pipeline through `PipelineStage`
/// (observations, frame summaries, inventory changes, traffic ticks), with time passed in (never read).
/// Each raises events into the stage output; the pipeline stores and exports them. Imports only
/// LanscopeCore.
import LanscopeCore

/// Raises `new_device` the first time a MAC appears that history has never seen (arpwatch's
/// "new station"). Seeded with the MACs already known so restarts and replays stay quiet; during the
/// pipeline's learning period it learns MACs without raising events.
public struct NewDeviceDetector: PipelineStage {
    public struct Configuration: Sendable {
        /// Most MACs remembered (default 65536); past it, new MACs are not remembered (counted in
        /// `stateStatistics.dropped`) and may be reported again after they expire and return.
        public var maxKnown: Int = 65_536
        public init() {}
    }

    public let name = "new_device"
    public let inputs: StageInputs = [.changes]
    private var known: Set<MACAddress>
    private let configuration: Configuration
    private var dropped: UInt64 = 0

    public init(known: some Sequence<MACAddress>, configuration: Configuration = .init()) {
        self.configuration = configuration
        self.known = Set(known.prefix(configuration.maxKnown))
    }

    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        guard case .created(let mac, let time) = change, mac.isUnicastDevice, !known.contains(mac) else { return }
        if known.count < configuration.maxKnown { known.insert(mac) } else { dropped &+= 1 }
        guard !context.learning else { return }
        let device = context.inventory.device(mac)
        output.raise(NewDeviceDetector.event(mac: mac, time: time, device: device))
    }

    public var stateStatistics: StageStateStatistics { StageStateStatistics(entries: known.count, dropped: dropped) }

    static func event(mac: MACAddress, time: Timestamp, device: Device?) -> AnomalyEvent {
        var details: [String: String] = [:]
        let vendor = device?.vendor
        if let vendor { details["vendor"] = vendor }
        if let hostname = device?.hostname { details["hostname"] = hostname }
        if let address = device?.sortedAddresses.first { details["ip"] = address.description }
        if mac.isLocallyAdministered { details["locally_administered"] = "true" }
        let who = vendor.map { " (\($0))" } ?? (mac.isLocallyAdministered ? " (randomised MAC)" : "")
        return AnomalyEvent(time: time, kind: .newDevice, severity: .info, mac: mac,
                            summary: "new device \(mac)\(who)", details: details)
    }
}
