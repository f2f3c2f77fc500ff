public import LanscopeCore

/// The classifier as a pipeline stage: marks devices dirty when their evidence changes (`created`,
/// `updated`) and reclassifies the dirty ones at each tick — never per frame — emitting a
/// classification only when it differs from the device's current one. Private MACs are linked to the
/// device they belong to (`PrivateMACIndex`) and classified from the merged evidence.
public struct ClassifierStage: PipelineStage {
    public struct Configuration: Sendable {
        /// Dirty devices held between ticks at most; past it, updates are dropped (and counted) until the
        /// next tick. Default 65,536.
        public var maximumPending = 65_536
        /// Identities the private-MAC index holds at most. Default 65,536.
        public var maximumIdentities = 65_536
        public init() {}
    }

    public let name = "classifier"
    public var inputs: StageInputs { [.changes, .ticks] }
    public let classifier: DeviceClassifier
    public let configuration: Configuration
    private var pending: Set<MACAddress> = []
    private var index: PrivateMACIndex
    /// Link target → the private MACs linked to it, so a target's new evidence reclassifies them too.
    private var linkedTo: [MACAddress: Set<MACAddress>] = [:]
    /// Private MAC → its link target (the reverse of `linkedTo`), to forget a private MAC that expires.
    private var targetOf: [MACAddress: MACAddress] = [:]
    private var droppedUpdates: UInt64 = 0
    /// What signal values contributed, kept across ticks (the stage runs on the capture thread only).
    private let memo = ClassifierMemo()

    public init(classifier: DeviceClassifier = DeviceClassifier(), configuration: Configuration = .init()) {
        self.classifier = classifier
        self.configuration = configuration
        self.index = PrivateMACIndex(capacity: configuration.maximumIdentities)
    }

    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        switch change {
        case .created(let mac, _), .updated(let mac, _):
            mark(mac)
        case .expired(let mac, _):
            pending.remove(mac)
            index.remove(mac)
            if let privates = linkedTo.removeValue(forKey: mac) { for other in privates { mark(other) } }
            if let target = targetOf.removeValue(forKey: mac) { linkedTo[target]?.remove(mac) }
        case .identityChanged, .addressClaimed:
            break
        }
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        guard !pending.isEmpty else { return }
        let macs = pending.sorted()
        pending.removeAll(keepingCapacity: true)
        let devices = macs.compactMap { context.inventory.identity($0) }
        // Index every dirty device first, so links found within one tick do not depend on order.
        for device in devices { index.update(device) }
        var done: Set<MACAddress> = []
        for device in devices {
            reclassify(device, context: context, output: &output)
            done.insert(device.mac)
        }
        // Private MACs linked to a device whose evidence changed carry that evidence too.
        var followers: Set<MACAddress> = []
        for mac in macs { followers.formUnion(linkedTo[mac] ?? []) }
        for mac in followers.subtracting(done).sorted() {
            if let device = context.inventory.identity(mac) { reclassify(device, context: context, output: &output) }
        }
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: pending.count + index.count, dropped: droppedUpdates &+ index.dropped)
    }

    private mutating func mark(_ mac: MACAddress) {
        guard pending.count < configuration.maximumPending || pending.contains(mac) else {
            droppedUpdates &+= 1
            return
        }
        pending.insert(mac)
    }

    private mutating func reclassify(_ device: Device, context: StageContext, output: inout StageOutput) {
        let inventory = context.inventory
        let link = index.link(for: device, isKnown: { inventory.identity($0) != nil })
        if link != device.privateMACLink { output.link(device.mac, to: link) }
        if let old = targetOf[device.mac], old != link?.mac {
            linkedTo[old]?.remove(device.mac)
            if linkedTo[old]?.isEmpty == true { linkedTo[old] = nil }
            targetOf[device.mac] = nil
        }
        var linked: [Device] = []
        if let link {
            linkedTo[link.mac, default: []].insert(device.mac)
            targetOf[device.mac] = link.mac
            if let target = context.inventory.identity(link.mac) { linked.append(target) }
        }
        let classification = classifier.classify(device, with: linked, memo: memo)
        if classification != device.classification { output.classify(device.mac, as: classification) }
    }
}
