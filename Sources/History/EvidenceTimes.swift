import LanscopeCore

/// A batch's observations gathered by the evidence row they land on, with the distinct times each
/// row was seen at, ascending. Writing a row once per batch, with the count it would have reached
/// one observation at a time, is what keeps a replay of many repeated facts (the same DNS name,
/// the same ARP reply) from paying one SQLite upsert per frame.
struct EvidenceTimes {
    /// The primary key of an `evidence` row.
    struct Row: Hashable {
        var mac: MACAddress
        var kind: EvidenceKind
        var source: DiscoveryProtocol
        var value: String
    }

    /// One fact about one device, before its row key (text) is built: repeats are grouped by
    /// hashing what the decoder produced, and the key text is built once per distinct fact.
    private struct Observed: Hashable {
        var mac: MACAddress
        var fact: Fact
    }

    /// Each row with its distinct times (nanoseconds), ascending; one entry per row, in no order.
    private(set) var entries: [(row: Row, times: [Int64])] = []

    /// The rows by MAC, the first column of the table's primary key, so the writes walk its B-tree
    /// forward instead of touching its pages at random (fewer pages read and rewritten).
    var rowsByDevice: [(row: Row, times: [Int64])] {
        entries.sorted { $0.row.mac < $1.row.mac }
    }

    /// `grouped`: more observations, already grouped (`HistoryBatch.factTimes`).
    init(_ observations: [Observation], grouped: any GroupedFacts = [HistoryBatch.FactTimes]()) {
        var builder = Builder(expectedRows: grouped.groupCount)
        if !observations.isEmpty {
            var byFact: [Observed: [Int64]] = [:]
            // Repeats of a fact often arrive together: a run of equal facts is gathered before it is
            // hashed once.
            var run: (observed: Observed, times: [Int64])?
            for observation in observations {
                if let current = run?.observed, current.mac == observation.mac, current.fact == observation.fact {
                    run!.times.append(observation.time.nanoseconds)
                    continue
                }
                if let run { byFact[run.observed, default: []] += run.times }
                run = (Observed(mac: observation.mac, fact: observation.fact), [observation.time.nanoseconds])
            }
            if let run { byFact[run.observed, default: []] += run.times }
            for (observed, times) in byFact { builder.add(mac: observed.mac, fact: observed.fact, times: times) }
        }
        // A group stands for one (device, fact) already (a replay's pending evidence holds each
        // once), so it goes straight to its row: no table keyed by the fact itself, whose hash walks
        // every string the fact holds. Two groups of one fact still land on the one row.
        grouped.forEachGroup { mac, fact, times in
            if !times.isEmpty { builder.add(mac: mac, fact: fact, times: times.map(\.nanoseconds)) }
        }
        entries = builder.finish()
    }

    /// Gathers times by row: the key text is built once per group handed in, and each row's times
    /// are sorted and de-duplicated only when they are not ascending and distinct already (a
    /// replay's are).
    private struct Builder {
        var index: [Row: Int] = [:]
        var entries: [(row: Row, times: [Int64])] = []
        var unordered: [Bool] = []

        init(expectedRows: Int) {
            index.reserveCapacity(expectedRows)
            entries.reserveCapacity(expectedRows)
            unordered.reserveCapacity(expectedRows)
        }

        mutating func add(mac: MACAddress, fact: Fact, times: [Int64]) {
            let key = EvidenceRecord.key(of: fact)
            let row = Row(mac: mac, kind: key.kind, source: key.source, value: key.value)
            if let existing = index[row] {
                entries[existing].times += times
                unordered[existing] = true
            } else {
                index[row] = entries.count
                entries.append((row, times))
                unordered.append(!times.isStrictlyAscending)
            }
        }

        consuming func finish() -> [(row: Row, times: [Int64])] {
            for position in entries.indices where unordered[position] {
                entries[position].times.sort()
                entries[position].times.removeDuplicates()
            }
            return entries
        }
    }

    /// The count a stored row reaches when `times` (distinct, ascending) are written into it one at
    /// a time in order, each adding one when it lies outside the row's window so far (the rule of
    /// `HistoryStore.write`): the earliest adds one when it precedes the stored window, and each time
    /// after the stored `last` adds one (the window grows with each). A new row counts every time.
    static func count(stored: (first: Int64, last: Int64, count: Int64)?, times: [Int64]) -> Int64 {
        guard let stored, let earliest = times.first else { return Int64(times.count) }
        var count = stored.count
        if earliest < stored.first { count += 1 }
        // Times are ascending: those after `last` are a suffix.
        var index = times.count
        while index > 0 && times[index - 1] > stored.last { index -= 1 }
        count += Int64(times.count - index)
        return count
    }
}

extension Array where Element == Int64 {
    /// Each element greater than the one before it.
    fileprivate var isStrictlyAscending: Bool {
        var index = 1
        while index < count {
            if self[index] <= self[index - 1] { return false }
            index += 1
        }
        return true
    }

    /// Removes adjacent duplicates (on a sorted array: every duplicate).
    fileprivate mutating func removeDuplicates() {
        guard count > 1 else { return }
        var kept = 1
        for index in 1..<count where self[index] != self[kept - 1] {
            self[kept] = self[index]
            kept += 1
        }
        removeLast(count - kept)
    }
}
