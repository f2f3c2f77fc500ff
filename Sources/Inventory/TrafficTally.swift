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
        for (cls, count) in counters.byClass { classes[Self.slot(cls.direction, cls.family, cls.l4)].add(count) }
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
        var slot = 0
        for direction in TrafficDirection.allCases {
            for family in IPFamily.allCases {
                for l4 in L4Protocol.allCases {
                    let count = classes[slot]
                    if count.packets != 0 || count.bytes != 0 {
                        out.byClass[TrafficClass(direction: direction, family: family, l4: l4)] = count
                    }
                    slot += 1
                }
            }
        }
        return out
    }

    /// Position of a class in `classes`, in the nesting order `counters` walks.
    static func slot(_ direction: TrafficDirection, _ family: IPFamily, _ l4: L4Protocol) -> Int {
        let d = direction == .transmitted ? 0 : 1
        let f: Int
        switch family {
        case .ipv4: f = 0
        case .ipv6: f = 1
        case .other: f = 2
        }
        let p: Int
        switch l4 {
        case .tcp: p = 0
        case .udp: p = 1
        case .icmp: p = 2
        case .other: p = 3
        }
        return (d * 3 + f) * 4 + p
    }
}
