import LanscopeCore

/// Helpers that keep event evidence short, bounded and deterministic: every list is sorted and cut to a
/// few items ("+N more"), so an event renders the same on every replay and never grows with an attack.
enum EventEvidence {
    /// Most items a detail list shows.
    static let listLimit = 8
    /// Most MACs an event names in `relatedMACs`.
    static let relatedLimit = 16

    /// `a, b, c (+5 more)` from the sorted items.
    static func list<T: Comparable & CustomStringConvertible>(_ items: some Sequence<T>, limit: Int = listLimit)
        -> String
    {
        let sorted = items.sorted()
        var text = sorted.prefix(limit).map(\.description).joined(separator: ",")
        if sorted.count > limit { text += " (+\(sorted.count - limit) more)" }
        return text
    }

    /// The first `relatedLimit` MACs, sorted, without `excluding`.
    static func related(_ macs: some Sequence<MACAddress>, excluding: MACAddress? = nil) -> [MACAddress] {
        Array(Set(macs).subtracting(excluding.map { [$0] } ?? []).sorted().prefix(relatedLimit))
    }

    /// Whole seconds of a duration, for details (`"60"`).
    static func seconds(_ duration: Duration) -> String { String(duration.components.seconds) }
}

extension Duration {
    /// The duration in seconds as a `Double` (rates and ratios).
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// One per-episode latch shared by the detectors: a subject (a scanner, a sender) raises once, then
/// stays quiet until it has been quiet for `quietPeriod` — "one event per episode, not per packet".
struct EpisodeLatch: Sendable, Hashable {
    var raisedAt: Timestamp?
    var lastActivity: Timestamp

    /// Whether an episode is open at `time` (raised and active within `quietPeriod`).
    func isOpen(at time: Timestamp, quietPeriod: Duration) -> Bool {
        raisedAt != nil && time - lastActivity <= quietPeriod
    }
}

/// The unexpected sources (rogue DHCP servers, rogue routers) already reported, one open episode each,
/// capped: a source raises when it opens a new episode, stays quiet while its episode is open, and when
/// the table is full (after dropping closed episodes) further sources are refused and counted.
struct RogueEpisodes: Sendable {
    let quietPeriod: Duration
    let capacity: Int
    private var latches: [MACAddress: EpisodeLatch] = [:]
    private(set) var dropped: UInt64 = 0

    init(quietPeriod: Duration, capacity: Int) {
        self.quietPeriod = quietPeriod
        self.capacity = capacity
    }

    var count: Int { latches.count }

    /// True when `mac` starts a new episode at `time` (the caller raises); false while its episode is open
    /// (its activity is extended) or when the table is full (counted in `dropped`).
    mutating func opens(_ mac: MACAddress, at time: Timestamp) -> Bool {
        if let latch = latches[mac], latch.isOpen(at: time, quietPeriod: quietPeriod) {
            latches[mac]?.lastActivity = time
            return false
        }
        if latches[mac] == nil && latches.count >= capacity {
            latches = latches.filter { $0.value.isOpen(at: time, quietPeriod: quietPeriod) }
            guard latches.count < capacity else {
                dropped &+= 1
                return false
            }
        }
        latches[mac] = EpisodeLatch(raisedAt: time, lastActivity: time)
        return true
    }
}
