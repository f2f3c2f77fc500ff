public import LanscopeCore

/// One device's kernel counters, summed over CPUs at read time.
public struct DeviceCounterSnapshot: Sendable, Hashable {
    public var mac: MACAddress
    public var counters: TrafficCounters
    /// Wall-clock time of the last frame counted for this device.
    public var lastSeen: Timestamp

    public init(mac: MACAddress, counters: TrafficCounters, lastSeen: Timestamp) {
        self.mac = mac
        self.counters = counters
        self.lastSeen = lastSeen
    }
}
