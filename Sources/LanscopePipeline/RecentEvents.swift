import LanscopeCore

/// Recent events in one bounded ring per severity, so a flood of `info` events cannot push out the
/// `critical` ones an operator is looking for.
struct RecentEvents: Sendable {
    private var rings: [Severity: Ring] = [:]
    let capacityPerSeverity: Int

    init(capacityPerSeverity: Int) { self.capacityPerSeverity = max(1, capacityPerSeverity) }

    /// Adds `event`; true when it pushed an older event of its severity out.
    mutating func append(_ event: AnomalyEvent) -> Bool {
        rings[event.severity, default: Ring(capacity: capacityPerSeverity)].append(event)
    }

    /// Every kept event, newest first, at or after `since` when given.
    func events(since: Timestamp?) -> [AnomalyEvent] {
        var all: [AnomalyEvent] = []
        for ring in rings.values { all += ring.ordered }
        // Newest first; ties in a stable order so output is deterministic.
        all.sort {
            ($0.time, $0.kind.rawValue, $0.mac?.rawValue ?? 0) > ($1.time, $1.kind.rawValue, $1.mac?.rawValue ?? 0)
        }
        guard let since else { return all }
        return all.filter { $0.time >= since }
    }

    struct Ring: Sendable {
        let capacity: Int
        private var buffer: [AnomalyEvent] = []
        private var start = 0

        init(capacity: Int) { self.capacity = capacity }

        mutating func append(_ e: AnomalyEvent) -> Bool {
            if buffer.count < capacity {
                buffer.append(e)
                return false
            }
            buffer[start] = e
            start = (start + 1) % capacity
            return true
        }

        var ordered: [AnomalyEvent] { Array(buffer[start...] + buffer[..<start]) }
    }
}
