import LanscopeCore

/// Which (kind, device) pairs have an anomaly active: from an event's start (or end, for a span) until
/// a hold time after it, so alerting rules can use `for:` on `lanscope_anomaly_active{kind,mac}`.
/// Bounded: past `capacity` pairs, new pairs are refused and counted.
struct ActiveAnomalies: Sendable {
    struct Key: Hashable, Sendable, Comparable {
        var kind: AnomalyKind
        var mac: MACAddress
        static func < (a: Key, b: Key) -> Bool { (a.kind.rawValue, a.mac) < (b.kind.rawValue, b.mac) }
    }

    let hold: Duration
    let capacity: Int
    private(set) var until: [Key: Timestamp] = [:]
    private(set) var refused: UInt64 = 0

    init(hold: Duration, capacity: Int) {
        self.hold = hold
        self.capacity = max(1, capacity)
    }

    mutating func note(_ event: AnomalyEvent) {
        guard let mac = event.mac else { return }
        let key = Key(kind: event.kind, mac: mac)
        let end = (event.endTime ?? event.time) + hold
        if let current = until[key] {
            if end > current { until[key] = end }
            return
        }
        if until.count >= capacity {
            // Make room from pairs already past their hold before refusing.
            prune(before: event.time)
            guard until.count < capacity else {
                refused &+= 1
                return
            }
        }
        until[key] = end
    }

    mutating func prune(before now: Timestamp) {
        until = until.filter { $0.value > now }
    }

    /// Pairs active at `now`, sorted by kind then MAC.
    func active(at now: Timestamp) -> [Key] {
        until.compactMap { $0.value > now ? $0.key : nil }.sorted()
    }
}
