import LanscopeCore

/// One device's traffic as the registry keeps it while counting: a fixed grid of every
/// direction × IP family × L4 class, so counting a frame is one 16-byte addition instead of hashing
/// a `TrafficClass` into a dictionary. The totals are the sums of the grid's halves (received cells
/// first, `TrafficClass.ordinal`), computed when read: counting then touches one cache line of the
/// tally, not two. Converted to `TrafficCounters` only when read.
struct TrafficTally: Sendable {
    static let classCount = 2 * 3 * 4
    /// Cells 0..<12 are received traffic, 12..<24 transmitted (`TrafficClass.ordinal`).
    static let receivedClasses = 0..<12
    static let transmittedClasses = 12..<24

    /// What restored totals carry beyond their classes (history may hold totals whose classes do
    /// not add up to them); counting never changes these. Arithmetic wraps, as the counters do.
    private var extraTransmittedPackets: UInt64 = 0
    private var extraTransmittedBytes: UInt64 = 0
    private var extraReceivedPackets: UInt64 = 0
    private var extraReceivedBytes: UInt64 = 0
    var classes = InlineArray<24, PacketByteCount>(repeating: PacketByteCount())

    init() {}

    init(_ counters: TrafficCounters) {
        for (cls, count) in counters.byClass { classes[cls.ordinal].add(count) }
        let transmitted = sum(Self.transmittedClasses)
        let received = sum(Self.receivedClasses)
        extraTransmittedPackets = counters.transmittedPackets &- transmitted.packets
        extraTransmittedBytes = counters.transmittedBytes &- transmitted.bytes
        extraReceivedPackets = counters.receivedPackets &- received.packets
        extraReceivedBytes = counters.receivedBytes &- received.bytes
    }

    /// `slot`: a transmitted class's ordinal.
    mutating func addTransmitted(bytes: UInt64, slot: Int) {
        classes[slot].packets &+= 1
        classes[slot].bytes &+= bytes
    }

    /// `slot`: a received class's ordinal.
    mutating func addReceived(bytes: UInt64, slot: Int) {
        classes[slot].packets &+= 1
        classes[slot].bytes &+= bytes
    }

    private func sum(_ cells: Range<Int>) -> PacketByteCount {
        var total = PacketByteCount()
        for slot in cells {
            total.packets &+= classes[slot].packets
            total.bytes &+= classes[slot].bytes
        }
        return total
    }

    /// Appends the grid in `DeviceTrafficTable`'s cell order (one cell per `TrafficClass.ordinal`).
    func appendCells(to cells: inout [PacketByteCount]) {
        for slot in 0..<Self.classCount { cells.append(classes[slot]) }
    }

    /// The public form: classes never counted are absent, as they were when counting into a dictionary.
    var counters: TrafficCounters {
        var out = TrafficCounters()
        let transmitted = sum(Self.transmittedClasses)
        let received = sum(Self.receivedClasses)
        out.transmittedPackets = extraTransmittedPackets &+ transmitted.packets
        out.transmittedBytes = extraTransmittedBytes &+ transmitted.bytes
        out.receivedPackets = extraReceivedPackets &+ received.packets
        out.receivedBytes = extraReceivedBytes &+ received.bytes
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
