import LanscopeCore

/// One device's traffic as the registry keeps it while counting: totals plus a fixed grid of every
/// direction × IP family × L4 class, so counting a frame is two array additions instead of hashing
/// a `TrafficClass` into a dictionary. Converted to `TrafficCounters` only when read.
struct TrafficTally: Sendable {
    static let classCount = 2 * 3 * 4

    var transmittedPackets: UInt64 = 0
    var transmittedBytes: UInt64 = 0
    var receivedPackets: UInt64 = 0
    var receivedBytes: UInt64 = 0
    var classes = InlineArray<24, PacketByteCount>(repeating: PacketByteCount())

    init() {}

    init(_ counters: TrafficCounters) {
        transmittedPackets = counters.transmittedPackets
        transmittedBytes = counters.transmittedBytes
        receivedPackets = counters.receivedPackets
        receivedBytes = counters.receivedBytes
        for (cls, count) in counters.byClass { classes[cls.ordinal].add(count) }
    }

    mutating func addTransmitted(bytes: UInt64, slot: Int) {
        transmittedPackets &+= 1
        transmittedBytes &+= bytes
        classes[slot].packets &+= 1
        classes[slot].bytes &+= bytes
    }

    mutating func addReceived(bytes: UInt64, slot: Int) {
        receivedPackets &+= 1
        receivedBytes &+= bytes
        classes[slot].packets &+= 1
        classes[slot].bytes &+= bytes
    }

    /// Appends the grid in `DeviceTrafficTable`'s cell order (one cell per `TrafficClass.ordinal`).
    func appendCells(to cells: inout [PacketByteCount]) {
        for slot in 0..<Self.classCount { cells.append(classes[slot]) }
    }

    /// The public form: classes never counted are absent, as they were when counting into a dictionary.
    var counters: TrafficCounters {
        var out = TrafficCounters()
        out.transmittedPackets = transmittedPackets
        out.transmittedBytes = transmittedBytes
        out.receivedPackets = receivedPackets
        out.receivedBytes = receivedBytes
        var used = 0
        for slot in 0..<Self.classCount where classes[slot].packets != 0 || classes[slot].bytes != 0 { used += 1 }
        guard used > 0 else { return out }
        out.byClass.reserveCapacity(used)
        for slot in 0..<Self.classCount where classes[slot].packets != 0 || classes[slot].bytes != 0 {
            out.byClass[TrafficClass.allByOrdinal[slot]] = classes[slot]
        }
        return out
    }
}
