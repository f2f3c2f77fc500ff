/// Traffic counters of many devices in flat storage, with an index in MAC order: what a backend
/// that counts on its own (the kernel's device table) hands to a scrape.
///
/// Flat because a scrape reads every device: 10,000 devices are a few arrays here, where
/// `[MACAddress: TrafficCounters]` would be 10,000 hash-table entries each holding its own
/// `byClass` dictionary. Rows stay in the order the backend filled them (the kernel table's slot
/// order), so the reader sums straight into them; `rowsByMAC` orders them, and because the
/// exposition is in MAC order too, a scrape joins the two in one forward pass (`cursor`).
public struct DeviceTrafficTable: Sendable {
    /// Cells per device: one per `TrafficClass`, indexed by `ordinal` (received 0..<12, transmitted 12..<24).
    public static let cellsPerDevice = TrafficClass.allByOrdinal.count
    static let transmittedCells = (cellsPerDevice / 2)..<cellsPerDevice

    /// Each row's device.
    public let macs: [MACAddress]
    /// When the backend last counted a frame for each row's device.
    public let lastSeen: [Timestamp]
    /// Row `r` owns `cells[r * cellsPerDevice ..< (r + 1) * cellsPerDevice]`.
    public let cells: [PacketByteCount]
    /// Row numbers by ascending MAC.
    public let rowsByMAC: [Int32]

    /// A table over rows in any order; each MAC at most once.
    public init(macs: [MACAddress], lastSeen: [Timestamp], cells: [PacketByteCount]) {
        precondition(
            lastSeen.count == macs.count && cells.count == macs.count * Self.cellsPerDevice,
            "DeviceTrafficTable: \(macs.count) MACs, \(lastSeen.count) times, \(cells.count) cells")
        var order = macs.indices.map { (mac: macs[$0], row: Int32(truncatingIfNeeded: $0)) }
        order.sort { $0.mac < $1.mac }
        for i in order.indices.dropFirst() {
            precondition(order[i - 1].mac != order[i].mac, "DeviceTrafficTable: \(order[i].mac) twice")
        }
        self.macs = macs
        self.lastSeen = lastSeen
        self.cells = cells
        self.rowsByMAC = order.map(\.row)
    }

    public init() { self.init(macs: [], lastSeen: [], cells: []) }

    public var count: Int { macs.count }
    public var isEmpty: Bool { macs.isEmpty }

    /// The row of `mac`, by binary search.
    public func row(of mac: MACAddress) -> Int? {
        var low = 0
        var high = rowsByMAC.count
        while low < high {
            let middle = (low + high) / 2
            if macs[Int(rowsByMAC[middle])] < mac { low = middle + 1 } else { high = middle }
        }
        guard low < rowsByMAC.count else { return nil }
        let row = Int(rowsByMAC[low])
        return macs[row] == mac ? row : nil
    }

    /// Row `row`'s counters with the per-class breakdown of its non-zero cells.
    public func counters(at row: Int) -> TrafficCounters { counters(at: row, breakdown: true) }

    /// Row `row`'s per-direction totals only (`byClass` empty).
    public func totals(at row: Int) -> TrafficCounters { counters(at: row, breakdown: false) }

    func counters(at row: Int, breakdown: Bool) -> TrafficCounters {
        var counters = TrafficCounters()
        let base = row * Self.cellsPerDevice
        for ordinal in 0..<Self.cellsPerDevice {
            let cell = cells[base + ordinal]
            if cell.packets == 0 && cell.bytes == 0 { continue }
            if breakdown { counters.byClass[TrafficClass.allByOrdinal[ordinal]] = cell }
            if Self.transmittedCells.contains(ordinal) {
                counters.transmittedPackets &+= cell.packets
                counters.transmittedBytes &+= cell.bytes
            } else {
                counters.receivedPackets &+= cell.packets
                counters.receivedBytes &+= cell.bytes
            }
        }
        return counters
    }

    /// A forward-only join against MACs visited in ascending order: each `seek` costs the distance
    /// moved, so one pass over a sorted export costs one pass over the table.
    public struct Cursor {
        let macs: [MACAddress]
        let rowsByMAC: [Int32]
        var position = 0

        /// The row of `mac`, or nil when the table does not hold it. `mac` must not be smaller than
        /// the one sought before.
        public mutating func seek(_ mac: MACAddress) -> Int? {
            while position < rowsByMAC.count && macs[Int(rowsByMAC[position])] < mac { position += 1 }
            guard position < rowsByMAC.count else { return nil }
            let row = Int(rowsByMAC[position])
            return macs[row] == mac ? row : nil
        }
    }

    public var cursor: Cursor { Cursor(macs: macs, rowsByMAC: rowsByMAC) }
}
