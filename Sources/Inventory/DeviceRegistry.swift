/// Inventory: the device registry — devices keyed by MAC, their addresses, names, services, presence
/// and (for userspace backends) traffic counters. Folds decoder observations; knows nothing of capture,
/// storage or HTTP. Imports only LanscopeCore.
import LanscopeCore
import Synchronization

/// Thread-safe registry of devices. The capture thread writes (`record`, `count`); readers take
/// immutable snapshots (`snapshot()`), so a scrape never blocks capture for longer than a copy.
public final class DeviceRegistry: InventoryReader {
    public struct Configuration: Sendable {
        /// Most devices kept; frames from further new MACs are counted in `devicesRejected` (default 16384).
        public var maxDevices: Int = 16_384
        /// Most services remembered per device (default 64): a chatty or hostile device cannot grow memory.
        public var maxServicesPerDevice: Int = 64
        /// Most TCP ports remembered per device as ones it accepts connections on (default 16, within
        /// `maxServicesPerDevice`): a host answering a port scan on every open port cannot crowd out what
        /// it announces.
        public var maxServerPortsPerDevice: Int = 16
        /// Most addresses remembered per device (default 32).
        public var maxAddressesPerDevice: Int = 32
        /// Most names (DNS queries, TLS SNI, HTTP Host) remembered per device (default 256).
        public var maxNamesPerDevice: Int = 256
        /// Most distinct TCP SYN signatures, JA4 fingerprints and User-Agents remembered per device, each
        /// (default 16).
        public var maxFingerprintsPerDevice: Int = 16
        /// Count traffic in userspace (pcap backends). Off when the eBPF maps count (default true).
        public var countTraffic: Bool = true
        public init() {}
    }

    public struct Statistics: Sendable, Hashable {
        /// Devices (distinct MACs) refused because the registry was full (MAC-flood protection). A MAC
        /// is counted once while it stays among the last `refusedMemory` refused MACs, so one device's
        /// frames are not counted as many devices.
        public var devicesRejected: UInt64 = 0
        /// Devices removed by `expire`.
        public var devicesExpired: UInt64 = 0
        /// Address claims not indexed because the address index was full.
        public var addressIndexRejected: UInt64 = 0
        public init() {}
    }

    /// How many refused MACs are remembered to count each refused device once (a flood of distinct
    /// MACs is counted exactly; the memory is cleared when full).
    public static let refusedMemory = 65_536

    /// Devices live in parallel arrays addressed through `slots`, so the per-frame path mutates them
    /// in place (no copy of a `Device` in and out of a dictionary) and counts traffic into a fixed
    /// grid (`TrafficTally`). `devices[i].traffic` is the tally's `TrafficCounters` form as of the
    /// last read, rebuilt on the next read only where `hot[i].stale` says frames were counted since.
    private struct State: Sendable {
        var slots: [MACAddress: Int] = [:]
        var devices: [Device] = []
        var traffic: [TrafficTally] = []
        /// What counting a frame reads and writes besides the traffic cell, one 32-byte record a device
        /// (two to a cache line) instead of a whole `Device` (512 bytes) or four arrays: at 2,000
        /// devices each separate array was a cache miss per frame end.
        var hot: [Hot] = []
        /// Recently used MAC → slot pairs, direct-mapped by the MAC's low bits: most frames come
        /// from or go to a few devices (the gateway), and a hit skips hashing the MAC into `slots`.
        /// An entry is trusted only while `hot[slot].mac` still holds its MAC (slots move on removal).
        /// 8,192 entries (128 KiB): with 1,024, 2,000 active devices evicted each other's entries
        /// between their frames (the discovery benchmark hashed a third more MACs into `slots`).
        var recent = [RecentSlot](repeating: RecentSlot(), count: State.recentCount)
        static let recentCount = 8192

        struct Hot: Sendable {
            /// The slot's MAC (`MACAddress.rawValue`): checks a `recent` entry without touching the device.
            var mac: UInt64
            /// The device's sightings as `count` moves them; folded into `devices[i]` (earliest first,
            /// latest last) when read.
            var seen: SeenSpan
            /// The device's `protocols` as bits (`DiscoveryProtocol.bit`): a repeated protocol, which is
            /// almost every observation, is one test instead of hashing into the set.
            var protocolBits: UInt32
            /// Frames were counted into `traffic[i]` since `devices[i].traffic` was last rebuilt.
            var stale: Bool

            init(_ device: Device) {
                mac = device.mac.rawValue
                seen = SeenSpan(device)
                protocolBits = device.protocols.reduce(0) { $0 | $1.bit }
                stale = false
            }
        }

        struct RecentSlot: Sendable {
            /// Not a MAC (those fit 48 bits) until filled.
            var mac = UInt64.max
            var slot = 0
        }

        /// The device's slot, or nil when it has none.
        mutating func slot(of mac: MACAddress) -> Int? {
            let raw = mac.rawValue
            let index = Int(truncatingIfNeeded: (raw ^ (raw >> 29)) & UInt64(State.recentCount - 1))
            let entry = recent[index]
            if entry.mac == raw, entry.slot < hot.count, hot[entry.slot].mac == raw { return entry.slot }
            guard let slot = slots[mac] else { return nil }
            recent[index] = RecentSlot(mac: raw, slot: slot)
            return slot
        }
        var statistics = Statistics()
        /// The latest MAC to claim each address (ARP, DHCP, NDP): the IP → MAC index.
        var holders: [IPAddress: MACAddress] = [:]
        /// Recently refused MACs (see `refusedMemory`).
        var refused: Set<MACAddress> = []

        /// `withTraffic` false: `traffic` as of the last `refresh()`, without rebuilding the counters.
        func materialize(_ slot: Int, withTraffic: Bool = true) -> Device {
            var device = devices[slot]
            if withTraffic && hot[slot].stale { device.traffic = traffic[slot].counters }
            hot[slot].seen.fold(into: &device)
            return device
        }

        /// The device's latest sighting, counted frames included.
        func lastSeen(_ slot: Int) -> Timestamp { max(devices[slot].lastSeen, hot[slot].seen.last) }

        /// Brings every device's `traffic` and sighting times up to date. A device is written only
        /// where something differs: `devices` may be shared with a snapshot, and a write copies it.
        mutating func refresh() {
            for slot in hot.indices {
                if hot[slot].stale {
                    devices[slot].traffic = traffic[slot].counters
                    hot[slot].stale = false
                }
                if hot[slot].seen.differs(from: devices[slot]) { hot[slot].seen.fold(into: &devices[slot]) }
            }
        }

        mutating func remove(_ slot: Int) {
            let last = devices.count - 1
            let mac = devices[slot].mac
            for address in devices[slot].addresses.keys where holders[address] == mac { holders[address] = nil }
            slots[mac] = nil
            if slot != last {
                devices.swapAt(slot, last)
                traffic.swapAt(slot, last)
                hot.swapAt(slot, last)
                slots[devices[slot].mac] = slot
            }
            devices.removeLast()
            traffic.removeLast()
            hot.removeLast()
        }

        mutating func append(_ device: Device, tally: TrafficTally) {
            slots[device.mac] = devices.count
            devices.append(device)
            traffic.append(tally)
            hot.append(Hot(device))
        }
    }

    public let configuration: Configuration
    private let vendorLookup: @Sendable (MACAddress) -> String?
    private let state = Mutex(State())

    public init(
        configuration: Configuration = .init(), vendorLookup: @escaping @Sendable (MACAddress) -> String? = { _ in nil }
    ) {
        self.configuration = configuration
        self.vendorLookup = vendorLookup
    }

    /// Which end(s) of a frame its traffic is counted for. Mirrors what the BPF programs count, so the
    /// libpcap and eBPF backends agree: ingress frames count their source as transmitting, egress
    /// frames their destination as receiving; a mirror port or a file counts both ends.
    public enum Attribution: Sendable {
        case sourceAndDestination, sourceOnly, destinationOnly
    }

    /// Counts one frame: its source transmitted it, its (unicast) destination received it. Both
    /// become devices if new. Returns the changes: `created` for MACs seen for the first time.
    @discardableResult
    public func count(_ summary: FrameSummary, at time: Timestamp, attribution: Attribution = .sourceAndDestination)
        -> [InventoryChange]
    {
        var created: [InventoryChange] = []
        state.withLock { state in _ = count(summary, at: time, attribution: attribution, in: &state, changes: &created)
        }
        return created
    }

    /// Folds observations into their devices. Returns what changed: devices created, identity fields
    /// that changed value, addresses whose holder changed.
    @discardableResult
    public func record(_ observations: [Observation]) -> [InventoryChange] {
        guard !observations.isEmpty else { return [] }
        var changes: [InventoryChange] = []
        state.withLock { state in
            observations.withUnsafeBufferPointer { record($0, known: nil, in: &state, changes: &changes) }
        }
        return changes
    }

    /// `count(summary)` then `record(observations)` under one lock, appending to `changes` what the
    /// two would return, in the same order. The pipeline's per-frame path: a frame's observations are
    /// mostly about its source, whose slot counting has just found.
    public func count(
        _ summary: FrameSummary, at time: Timestamp, attribution: Attribution = .sourceAndDestination,
        recording observations: [Observation], changes: inout [InventoryChange]
    ) {
        observations.withUnsafeBufferPointer {
            count(summary, at: time, attribution: attribution, recording: $0, changes: &changes)
        }
    }

    /// `count(_:at:attribution:recording:changes:)` for observations read in place, such as a frame's
    /// in a batch decoded ahead (valid during the call), without copying them out.
    public func count(
        _ summary: FrameSummary, at time: Timestamp, attribution: Attribution = .sourceAndDestination,
        recording observations: UnsafeBufferPointer<Observation>, changes: inout [InventoryChange]
    ) {
        state.withLock { state in
            let source = count(summary, at: time, attribution: attribution, in: &state, changes: &changes)
            if !observations.isEmpty { record(observations, known: source, in: &state, changes: &changes) }
        }
    }

    /// Returns the source's slot (nil when it is not a device or the registry is full).
    private func count(
        _ summary: FrameSummary, at time: Timestamp, attribution: Attribution, in state: inout State,
        changes created: inout [InventoryChange]
    ) -> (mac: MACAddress, slot: Int)? {
        let source = summary.source
        let destination = summary.destination
        let wire = UInt64(max(summary.wireLength, 0))
        let countTraffic = configuration.countTraffic
        var known: (mac: MACAddress, slot: Int)?
        if source.isUnicastDevice, let slot = ensureDevice(source, time: time, in: &state, created: &created) {
            known = (source, slot)
            state.hot[slot].seen.touch(time)
            if countTraffic && attribution != .destinationOnly {
                let cls = TrafficClass(direction: .transmitted, family: summary.family, l4: summary.l4).ordinal
                state.traffic[slot].addTransmitted(bytes: wire, slot: cls)
                state.hot[slot].stale = true
            }
        }
        if destination.isUnicastDevice, destination != source,
            let slot = ensureDevice(destination, time: time, in: &state, created: &created)
        {
            if countTraffic && attribution != .sourceOnly {
                let cls = TrafficClass(direction: .received, family: summary.family, l4: summary.l4).ordinal
                state.traffic[slot].addReceived(bytes: wire, slot: cls)
                state.hot[slot].stale = true
            }
        }
        return known
    }

    /// `known`: a MAC whose slot the caller has already found, so its observations skip the lookup.
    /// Each observation is read where it is held (`observations[index]`), not copied out.
    private func record(
        _ observations: UnsafeBufferPointer<Observation>, known: (mac: MACAddress, slot: Int)?, in state: inout State,
        changes: inout [InventoryChange]
    ) {
        let limits = configuration
        var cached = known
        for index in observations.indices {
            let mac = observations[index].mac
            let time = observations[index].time
            guard mac.isUnicastDevice else { continue }
            let slot: Int
            if let cached, cached.mac == mac {
                slot = cached.slot
            } else {
                guard let found = ensureDevice(mac, time: time, in: &state, created: &changes) else { continue }
                slot = found
                cached = (mac, found)
            }
            if state.devices[slot].apply(
                observations[index], limits: limits, protocolBits: &state.hot[slot].protocolBits, changes: &changes),
                !Self.isUpdate(changes.last, of: mac, at: time)
            {
                changes.append(.updated(mac, time: time))
            }
            if case .address(let address, let via) = observations[index].fact, DeviceRegistry.claims(via) {
                claim(address, by: mac, time: time, in: &state, changes: &changes)
            }
        }
    }

    private static func isUpdate(_ change: InventoryChange?, of mac: MACAddress, at time: Timestamp) -> Bool {
        guard case .updated(let changed, let changedAt) = change else { return false }
        return changed == mac && changedAt == time
    }

    /// Sources that bind an address to a MAC: the device's own ARP/NDP, or a DHCP lease. What mDNS, SSDP,
    /// LLDP or NBNS carry may be said on another's behalf (sleep proxies, management addresses).
    static func claims(_ source: DiscoveryProtocol) -> Bool {
        switch source {
        case .arp, .ndp, .dhcp, .dhcpv6: true
        default: false
        }
    }

    private func claim(
        _ address: IPAddress, by mac: MACAddress, time: Timestamp, in state: inout State,
        changes: inout [InventoryChange]
    ) {
        let previous = state.holders[address]
        guard previous != mac else { return }
        if previous == nil && state.holders.count >= configuration.maxDevices * 4 {
            state.statistics.addressIndexRejected &+= 1
            return
        }
        state.holders[address] = mac
        changes.append(.addressClaimed(address, by: mac, previousHolder: previous, time: time))
    }

    /// Stores the classifier's conclusion; returns the classification fields that changed value.
    @discardableResult
    public func classify(_ mac: MACAddress, as classification: DeviceClassification, at time: Timestamp)
        -> [InventoryChange]
    {
        state.withLock { state -> [InventoryChange] in
            guard let slot = state.slots[mac] else { return [] }
            let before = state.devices[slot].classification
            state.devices[slot].classification = classification
            var changes: [InventoryChange] = []
            func note(_ field: IdentityField, _ old: String?, _ new: String?) {
                guard let new, old != new else { return }
                changes.append(.identityChanged(mac, field: field, from: old, to: new, time: time))
            }
            note(.type, before?.type.value.rawValue, classification.type.value.rawValue)
            note(.os, before?.os?.value, classification.os?.value)
            note(.model, before?.model?.value, classification.model?.value)
            note(.manufacturer, before?.manufacturer?.value, classification.manufacturer?.value)
            return changes
        }
    }

    /// Adds devices learned elsewhere (history) without counting them as new.
    public func restore(_ devices: [Device]) {
        state.withLock { state in
            for var device in devices
            where state.slots[device.mac] == nil && state.devices.count < configuration.maxDevices {
                let tally = TrafficTally(device.traffic)
                device.traffic = tally.counters
                state.append(device, tally: tally)
            }
        }
    }

    /// Removes devices not seen since `cutoff`; returns an `expired` change for each, dated `now`.
    @discardableResult
    public func expire(notSeenSince cutoff: Timestamp, now: Timestamp) -> [InventoryChange] {
        state.withLock { state in
            var removed: [InventoryChange] = []
            var slot = state.devices.count - 1
            // Walking down keeps every slot not yet visited valid across swap-removals.
            while slot >= 0 {
                if state.lastSeen(slot) < cutoff {
                    removed.append(.expired(state.devices[slot].mac, time: now))
                    state.remove(slot)
                }
                slot -= 1
            }
            state.statistics.devicesExpired &+= UInt64(removed.count)
            return removed
        }
    }

    /// Sets (or clears) a private MAC's link to the device it belongs to.
    public func link(_ mac: MACAddress, to link: PrivateMACLink?) {
        state.withLock { state in
            guard let slot = state.slots[mac] else { return }
            state.devices[slot].privateMACLink = link
        }
    }

    /// The latest MAC to claim `address` (ARP, DHCP, NDP).
    public func holder(of address: IPAddress) -> MACAddress? { state.withLock { $0.holders[address] } }

    /// Every device's traffic totals in the shape the kernel table has, for ticks and exports.
    public func trafficTable() -> DeviceTrafficTable {
        state.withLock { state in
            var cells: [PacketByteCount] = []
            cells.reserveCapacity(state.devices.count * DeviceTrafficTable.cellsPerDevice)
            for tally in state.traffic { tally.appendCells(to: &cells) }
            return DeviceTrafficTable(
                macs: state.devices.map(\.mac), lastSeen: state.devices.indices.map { state.lastSeen($0) },
                cells: cells)
        }
    }

    /// An immutable copy of every device, sorted by MAC. Under the lock: converting the traffic
    /// of devices that counted frames since the last read (~0.5 µs each), then sharing the array
    /// (copy-on-write); the sorted copy is made after it is released.
    public func snapshot() -> [Device] {
        let devices = state.withLock { state in
            state.refresh()
            return state.devices
        }
        // Sorting (MAC, slot) pairs moves 16 bytes per swap instead of a whole Device.
        var order = devices.indices.map { (mac: devices[$0].mac.rawValue, slot: $0) }
        order.sort { $0.mac < $1.mac }
        var out: [Device] = []
        out.reserveCapacity(devices.count)
        for (_, slot) in order { out.append(devices[slot]) }
        return out
    }

    /// Every device in storage order plus the indices that visit them by MAC — without copying any
    /// `Device` (the array is shared copy-on-write with the registry). The scrape path uses this;
    /// `snapshot()` is the convenient form.
    public func orderedSnapshot() -> (devices: [Device], order: [Int]) {
        let devices = state.withLock { state in
            state.refresh()
            return state.devices
        }
        var order = devices.indices.map { (mac: devices[$0].mac.rawValue, slot: $0) }
        order.sort { $0.mac < $1.mac }
        return (devices, order.map(\.slot))
    }

    public func device(_ mac: MACAddress) -> Device? {
        state.withLock { state in state.slots[mac].map { state.materialize($0) } }
    }

    /// The device with its sightings up to date and its traffic as of the last `snapshot()`: its
    /// counters are not rebuilt (a class table per call, for the classifier's every reclassified device).
    public func identity(_ mac: MACAddress) -> Device? {
        state.withLock { state in state.slots[mac].map { state.materialize($0, withTraffic: false) } }
    }

    /// The MACs among `macs` the registry does not know, under one lock and without copying devices.
    public func unknown(among macs: [MACAddress]) -> [Int] {
        state.withLock { state in macs.indices.filter { state.slots[macs[$0]] == nil } }
    }
    public var count: Int { state.withLock { $0.devices.count } }
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The device's slot, creating the device if needed; nil when the registry is full.
    private func ensureDevice(
        _ mac: MACAddress, time: Timestamp, in state: inout State,
        created: inout [InventoryChange]
    ) -> Int? {
        if let slot = state.slot(of: mac) { return slot }
        guard state.devices.count < configuration.maxDevices else {
            if state.refused.count >= DeviceRegistry.refusedMemory { state.refused.removeAll(keepingCapacity: true) }
            if state.refused.insert(mac).inserted { state.statistics.devicesRejected &+= 1 }
            return nil
        }
        var device = Device(mac: mac, firstSeen: time, lastSeen: time)
        device.vendor = vendorLookup(mac)
        let slot = state.devices.count
        state.append(device, tally: TrafficTally())
        created.append(.created(mac, time: time))
        return slot
    }
}
