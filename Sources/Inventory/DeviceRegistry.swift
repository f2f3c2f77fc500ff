/// Inventory: the device registry — devices keyed by MAC, their addresses, names, services, presence
/// and (for userspace backends) traffic counters. Folds decoder observations; knows nothing of capture,
/// storage or HTTP. Imports only LanscopeCore.
import LanscopeCore
import Synchronization

/// Thread-safe registry of devices. The capture thread writes (`record`, `count`); readers take
/// immutable snapshots (`snapshot()`), so a scrape never blocks capture for longer than a copy.
public final class DeviceRegistry: Sendable {
    public struct Configuration: Sendable {
        /// Most devices kept; frames from further new MACs are counted in `devicesRejected` (default 16384).
        public var maxDevices: Int = 16_384
        /// Most services remembered per device (default 64): a chatty or hostile device cannot grow memory.
        public var maxServicesPerDevice: Int = 64
        /// Most addresses remembered per device (default 32).
        public var maxAddressesPerDevice: Int = 32
        /// Count traffic in userspace (pcap backends). Off when the eBPF maps count (default true).
        public var countTraffic: Bool = true
        public init() {}
    }

    public struct Statistics: Sendable, Hashable {
        /// New MACs refused because the registry was full (MAC-flood protection).
        public var devicesRejected: UInt64 = 0
        /// Devices removed by `expire`.
        public var devicesExpired: UInt64 = 0
        public init() {}
    }

    /// What happened to the registry as a result of one `record`/`count` call.
    public struct Change: Sendable, Hashable {
        public var newDevices: [MACAddress] = []
        public init() {}
    }

    private struct State: Sendable {
        var devices: [MACAddress: Device] = [:]
        var statistics = Statistics()
    }

    public let configuration: Configuration
    private let vendorLookup: @Sendable (MACAddress) -> String?
    private let state = Mutex(State())

    public init(configuration: Configuration = .init(), vendorLookup: @escaping @Sendable (MACAddress) -> String? = { _ in nil }) {
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
    /// become devices if new. Returns MACs seen for the first time.
    @discardableResult
    public func count(_ summary: FrameSummary, at time: Timestamp, attribution: Attribution = .sourceAndDestination) -> [MACAddress] {
        let source = summary.source
        let destination = summary.destination
        let wire = UInt64(max(summary.wireLength, 0))
        let family = summary.family
        let l4 = summary.l4
        let countTraffic = configuration.countTraffic
        let countSource = attribution != .destinationOnly
        let countDestination = attribution != .sourceOnly
        return state.withLock { state -> [MACAddress] in
            var created: [MACAddress] = []
            if source.isUnicastDevice, ensureDevice(source, time: time, in: &state, created: &created) {
                state.devices[source]!.touch(time)
                if countTraffic && countSource {
                    state.devices[source]!.traffic.addTransmitted(bytes: wire, family: family, l4: l4)
                }
            }
            if destination.isUnicastDevice, destination != source,
               ensureDevice(destination, time: time, in: &state, created: &created) {
                if countTraffic && countDestination {
                    state.devices[destination]!.traffic.addReceived(bytes: wire, family: family, l4: l4)
                }
            }
            return created
        }
    }

    /// Folds observations into their devices. Returns MACs seen for the first time.
    @discardableResult
    public func record(_ observations: [Observation]) -> [MACAddress] {
        guard !observations.isEmpty else { return [] }
        let limits = configuration
        return state.withLock { state -> [MACAddress] in
            var created: [MACAddress] = []
            for observation in observations where observation.mac.isUnicastDevice {
                guard ensureDevice(observation.mac, time: observation.time, in: &state, created: &created) else { continue }
                state.devices[observation.mac]!.apply(observation, limits: limits)
            }
            return created
        }
    }

    /// Adds devices learned elsewhere (history) without counting them as new.
    public func restore(_ devices: [Device]) {
        state.withLock { state in
            for device in devices where state.devices[device.mac] == nil && state.devices.count < configuration.maxDevices {
                state.devices[device.mac] = device
            }
        }
    }

    /// Removes devices not seen since `cutoff`; returns how many.
    @discardableResult
    public func expire(notSeenSince cutoff: Timestamp) -> Int {
        state.withLock { state in
            let stale = state.devices.values.filter { $0.lastSeen < cutoff }.map(\.mac)
            for mac in stale { state.devices[mac] = nil }
            state.statistics.devicesExpired &+= UInt64(stale.count)
            return stale.count
        }
    }

    /// An immutable copy of every device, sorted by MAC.
    public func snapshot() -> [Device] {
        let devices = state.withLock { $0.devices }
        return devices.values.sorted { $0.mac < $1.mac }
    }

    public func device(_ mac: MACAddress) -> Device? { state.withLock { $0.devices[mac] } }
    public var count: Int { state.withLock { $0.devices.count } }
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Creates the device if needed; false when the registry is full.
    private func ensureDevice(_ mac: MACAddress, time: Timestamp, in state: inout State, created: inout [MACAddress]) -> Bool {
        if state.devices[mac] != nil { return true }
        guard state.devices.count < configuration.maxDevices else {
            state.statistics.devicesRejected &+= 1
            return false
        }
        var device = Device(mac: mac, firstSeen: time, lastSeen: time)
        device.vendor = vendorLookup(mac)
        state.devices[mac] = device
        created.append(mac)
        return true
    }
}
