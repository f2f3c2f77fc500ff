import LanscopeCore

/// When ticks are due, and each device's counter deltas between them in one shape for both backends.
struct TickClock {
    let interval: Duration
    private(set) var last: Timestamp?
    private var previous: [MACAddress: Totals] = [:]

    struct Totals {
        var transmittedBytes: UInt64, transmittedPackets: UInt64, receivedBytes: UInt64, receivedPackets: UInt64
    }

    init(interval: Duration) { self.interval = interval }

    /// True when `time` is at least one interval after the last tick (the first frame starts the clock).
    mutating func due(at time: Timestamp) -> Bool {
        guard let last else {
            self.last = time
            return false
        }
        return time - last >= interval
    }

    /// Marks a tick at `time`; returns the time since the previous one (zero for the first).
    mutating func fire(at time: Timestamp) -> Duration {
        defer { if last.map({ time > $0 }) ?? true { last = time } }
        guard let last, time > last else { return .zero }
        return time - last
    }

    /// Deltas since the previous call for every device in `table`; a counter below its previous value
    /// (the device was expired and returned) counts from zero. Devices gone from the table are forgotten.
    mutating func deltas(from table: DeviceTrafficTable) -> [DeviceCounterDelta] {
        var out: [DeviceCounterDelta] = []
        out.reserveCapacity(table.count)
        var next: [MACAddress: Totals] = [:]
        next.reserveCapacity(table.count)
        for row in 0..<table.count {
            let totals = table.totals(at: row)
            let now = Totals(
                transmittedBytes: totals.transmittedBytes, transmittedPackets: totals.transmittedPackets,
                receivedBytes: totals.receivedBytes, receivedPackets: totals.receivedPackets)
            let mac = table.macs[row]
            let before =
                previous[mac]
                ?? Totals(
                    transmittedBytes: 0, transmittedPackets: 0, receivedBytes: 0,
                    receivedPackets: 0)
            func delta(_ a: UInt64, _ b: UInt64) -> UInt64 { a >= b ? a - b : a }
            out.append(
                DeviceCounterDelta(
                    mac: mac, transmittedBytes: delta(now.transmittedBytes, before.transmittedBytes),
                    transmittedPackets: delta(now.transmittedPackets, before.transmittedPackets),
                    receivedBytes: delta(now.receivedBytes, before.receivedBytes),
                    receivedPackets: delta(now.receivedPackets, before.receivedPackets), lastSeen: table.lastSeen[row]))
            next[mac] = now
        }
        previous = next
        return out
    }
}
