import LanscopeCore

/// Every detector's thresholds in one value: what the detection config file sets (see
/// `DetectionConfigurationParser` and the README's "Anomaly detection" section) and what
/// `makeStages(known:)` builds the detector stages from. Defaults are the detectors' own.
public struct DetectionConfiguration: Sendable, Hashable {
    /// Detectors switched off by the file (`enabled = false` in their section). Default: none.
    public var disabled: Set<AnomalyKind> = []
    /// Learning period set by the file (`[general] learning_period`), for the pipeline's configuration;
    /// nil when the file does not set it (the service's default applies).
    public var learningPeriod: Duration?
    public var newDevice = NewDeviceDetector.Configuration()
    public var portScan = PortScanDetector.Configuration()
    public var arpSweep = ARPSweepDetector.Configuration()
    public var addressBinding = AddressBindingDetector.Configuration()
    public var rogueDHCP = RogueDHCPDetector.Configuration()
    public var rogueRA = RogueRouterDetector.Configuration()
    public var trafficSpike = TrafficSpikeDetector.Configuration()
    public var identityChange = IdentityChangeDetector.Configuration()
    public var deviceOffline = DeviceOfflineDetector.Configuration()

    public init() {}

    /// The detector stages, in a fixed order (the events of one input come out in this order).
    /// `known`: MACs history already holds (never "new"). `arp_spoof` and `ip_conflict` are one stage:
    /// disabling either disables what it alone raises.
    public func makeStages(known: [MACAddress]) -> [any PipelineStage] {
        var stages: [any PipelineStage] = []
        if !disabled.contains(.newDevice) { stages.append(NewDeviceDetector(known: known, configuration: newDevice)) }
        if !disabled.contains(.portScan) { stages.append(PortScanDetector(configuration: portScan)) }
        if !disabled.contains(.arpSweep) { stages.append(ARPSweepDetector(configuration: arpSweep)) }
        if !disabled.contains(.arpSpoof) || !disabled.contains(.ipConflict) {
            stages.append(KindFilter(AddressBindingDetector(configuration: addressBinding), dropping: disabled))
        }
        if !disabled.contains(.rogueDHCP) { stages.append(RogueDHCPDetector(configuration: rogueDHCP)) }
        if !disabled.contains(.rogueRA) { stages.append(RogueRouterDetector(configuration: rogueRA)) }
        if !disabled.contains(.trafficSpike) { stages.append(TrafficSpikeDetector(configuration: trafficSpike)) }
        if !disabled.contains(.identityChange) { stages.append(IdentityChangeDetector(configuration: identityChange)) }
        if !disabled.contains(.deviceOffline) { stages.append(DeviceOfflineDetector(configuration: deviceOffline)) }
        return stages
    }
}

/// Runs a stage and drops the events of disabled kinds (for a stage that raises several kinds).
struct KindFilter<Stage: PipelineStage>: PipelineStage {
    var stage: Stage
    let dropping: Set<AnomalyKind>

    init(_ stage: Stage, dropping: Set<AnomalyKind>) {
        self.stage = stage
        self.dropping = dropping
    }

    var name: String { stage.name }
    var inputs: StageInputs { stage.inputs }
    var stateStatistics: StageStateStatistics { stage.stateStatistics }

    mutating func frame(_ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput) {
        let before = output.events.count
        stage.frame(frame, at: time, context: context, output: &output)
        filter(&output, from: before)
    }

    mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {
        let before = output.events.count
        stage.observation(observation, context: context, output: &output)
        filter(&output, from: before)
    }

    mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        let before = output.events.count
        stage.change(change, context: context, output: &output)
        filter(&output, from: before)
    }

    mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        let before = output.events.count
        stage.tick(tick, context: context, output: &output)
        filter(&output, from: before)
    }

    private func filter(_ output: inout StageOutput, from start: Int) {
        guard !dropping.isEmpty, output.events.count > start else { return }
        let kept = output.events[start...].filter { !dropping.contains($0.kind) }
        output.events.replaceSubrange(start..., with: kept)
    }
}
