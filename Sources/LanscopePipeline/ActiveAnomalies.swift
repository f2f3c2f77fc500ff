import LanscopeCore

/// Which (kind, device) pairs have an anomaly active: from an event until a hold time after it, so alerting
/// rules can use `for:` on `lanscope_anomaly_active{kind,mac}`; a closing event (the span is over) ends
/// it at the span's end.
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
    /// No pair is held past its end before this time (a lower bound of `until`'s values): while the
    /// set is full, an event earlier than this is refused without walking every pair to find none
    /// that has ended.
    private var earliestEnd: Timestamp?

    init(hold: Duration, capacity: Int) {
        self.hold = hold
        self.capacity = max(1, capacity)
    }

    mutating func note(_ event: AnomalyEvent) {
        guard let mac = event.mac else { return }
        let key = Key(kind: event.kind, mac: mac)
        if event.isClosing {
            // The condition is over: active until its end (the opening event's hold no longer applies).
            if let current = until[key] {
                let end = min(current, event.endTime ?? event.time)
                until[key] = end
                lower(to: end)
            }
            return
        }
        let end = (event.endTime ?? event.time) + hold
        if let current = until[key] {
            if end > current { until[key] = end }
            return
        }
        if until.count >= capacity {
            // Make room from pairs already past their hold before refusing.
            if let earliestEnd, earliestEnd <= event.time { prune(before: event.time) }
            guard until.count < capacity else {
                refused &+= 1
                return
            }
        }
        until[key] = end
        lower(to: end)
    }

    private mutating func lower(to end: Timestamp) {
        if earliestEnd.map({ end < $0 }) ?? true { earliestEnd = end }
    }

    mutating func prune(before now: Timestamp) {
        until = until.filter { $0.value > now }
        earliestEnd = until.values.min()
    }

    /// Pairs active at `now`, sorted by kind then MAC.
    func active(at now: Timestamp) -> [Key] {
        until.compactMap { $0.value > now ? $0.key : nil }.sorted()
    }
}
