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

    /// Each row's distinct times (nanoseconds), ascending.
    private(set) var rows: [Row: [Int64]] = [:]

    /// The rows by MAC, the first column of the table's primary key, so the writes walk its B-tree
    /// forward instead of touching its pages at random (fewer pages read and rewritten).
    var rowsByDevice: [(row: Row, times: [Int64])] {
        rows.map { ($0.key, $0.value) }.sorted { $0.row.mac < $1.row.mac }
    }

    /// `grouped`: more observations, already grouped (`HistoryBatch.factTimes`).
    init(_ observations: [Observation], grouped: [HistoryBatch.FactTimes] = []) {
        var byFact: [Observed: [Int64]] = [:]
        byFact.reserveCapacity(grouped.count)
        // Repeats of a fact often arrive together (the pipeline hands them over grouped): a run of
        // equal facts is gathered before it is hashed once.
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
        for group in grouped where !group.times.isEmpty {
            byFact[Observed(mac: group.mac, fact: group.fact), default: []] += group.times.map(\.nanoseconds)
        }
        rows.reserveCapacity(byFact.count)
        for (observed, times) in byFact {
            let key = EvidenceRecord.key(of: observed.fact)
            rows[Row(mac: observed.mac, kind: key.kind, source: key.source, value: key.value), default: []] += times
        }
        for row in rows.keys {
            rows[row]!.sort()
            rows[row]!.removeDuplicates()
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
