/// Which devices the export cap keeps: the `limit` most recently seen, ties broken by the lower MAC.
enum ExportCap {
    /// Excess over the cap up to which the devices to leave out are picked in linear passes, not by
    /// sorting the inventory (an inventory a few devices over the cap — a LAN at its size — would
    /// otherwise sort every device on every scrape).
    static let linearExcess = 16

    /// The indices of `order` (MAC order) that stay within the cap, still in MAC order: every index
    /// but the `order.count - limit` least recently seen (`lastSeen`, nanoseconds; among equal times the
    /// higher MAC goes first). `lastSeen` and `mac` are read once per index into compact keys, so the
    /// selection never revisits the devices themselves.
    static func kept(_ order: [Int], limit: Int, lastSeen: (Int) -> Int64, mac: (Int) -> UInt64) -> [Int] {
        let excess = order.count - max(limit, 0)
        guard excess > 0 else { return order }
        // Keys by position in `order`: a device ranks lower when seen earlier, or at the same time with
        // a higher MAC.
        let keys = order.map { Key(seen: lastSeen($0), mac: mac($0)) }
        var dropped = [Bool](repeating: false, count: order.count)
        if excess <= linearExcess {
            // One pass per device left out: the lowest-ranked key not yet dropped.
            for _ in 0..<excess {
                var lowest = -1
                for position in keys.indices where !dropped[position] {
                    if lowest < 0 || keys[position].ranksBelow(keys[lowest]) { lowest = position }
                }
                dropped[lowest] = true
            }
        } else {
            let ranked = keys.indices.sorted { keys[$0].ranksBelow(keys[$1]) }
            for position in ranked.prefix(excess) { dropped[position] = true }
        }
        var kept: [Int] = []
        kept.reserveCapacity(order.count - excess)
        for position in order.indices where !dropped[position] { kept.append(order[position]) }
        return kept
    }

    struct Key {
        var seen: Int64
        var mac: UInt64

        /// Left out before `other`: seen earlier, or at the same time with a higher MAC.
        func ranksBelow(_ other: Key) -> Bool { seen != other.seen ? seen < other.seen : mac > other.mac }
    }
}
