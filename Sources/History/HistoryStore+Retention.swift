public import LanscopeCore

extension HistoryStore {
    /// Deletes evidence rows last seen before `olderThan`, at most `limit` of them (nil: all, in one
    /// statement); returns how many were deleted. Devices, their addresses and anomaly events are kept.
    public func pruneEvidence(olderThan cutoff: Timestamp, limit: Int? = nil) throws(HistoryError) -> Int {
        try locked { () throws(HistoryError) in
            try database.transaction { () throws(HistoryError) in
                do throws(SQLiteError) {
                    if let limit {
                        try database.statement(
                            """
                            DELETE FROM evidence WHERE (mac, kind, source, value) IN (
                                SELECT mac, kind, source, value FROM evidence WHERE last_seen < ?1
                                ORDER BY last_seen LIMIT ?2)
                            """
                        ).run([.integer(cutoff.nanoseconds), .integer(Int64(max(0, limit)))])
                    } else {
                        try database.statement("DELETE FROM evidence WHERE last_seen < ?1").run([
                            .integer(cutoff.nanoseconds)
                        ])
                    }
                } catch {
                    throw .sqlite(error)
                }
                return database.changes
            }
        }
    }

    /// One bounded retention pass at `now`: raw samples older than `policy.raw` are summed into hourly
    /// samples, hourly older than `policy.hourly` into daily, and daily samples, presence spans and
    /// evidence older than `policy.daily` are deleted. Each statement is its own transaction over at
    /// most `bounds.rowsPerStatement` rows, so other writers interleave; the pass stops once
    /// `bounds.statementsPerPass` statements have run (`complete` false: call again later). Sums are kept
    /// exactly: a sample folded into a coarser one is added to it and removed in the same transaction.
    public func applyRetention(
        policy: RetentionPolicy, now: Timestamp, bounds: RetentionPolicy.Bounds = .init()
    ) throws(HistoryError) -> RetentionPass {
        var pass = RetentionPass()
        let limit = max(1, bounds.rowsPerStatement)
        for step in 0..<5 {
            while true {
                let rows: Int
                switch step {
                case 0: rows = try fold(.raw, into: .hourly, before: now - policy.raw, limit: limit)
                case 1: rows = try fold(.hourly, into: .daily, before: now - policy.hourly, limit: limit)
                case 2: rows = try deleteSamples(.daily, before: now - policy.daily, limit: limit)
                case 3: rows = try deletePresence(endedBefore: now - policy.daily, limit: limit)
                default: rows = try pruneEvidence(olderThan: now - policy.daily, limit: limit)
                }
                pass.statements += 1
                if step < 2 { pass.folded += rows } else { pass.deleted += rows }
                if rows < limit { break }
                guard pass.statements < bounds.statementsPerPass else { return pass }
            }
        }
        pass.complete = true
        return pass
    }

    /// The range a bounded step covers: the `limit` oldest samples of `tier` before `cutoff`, as the
    /// statement parameters `start <= ?upper AND (start < ?upper OR mac <= ?mac)`. The `limit`-th oldest
    /// key is found by an `OFFSET` probe on the age index (tier, start, mac); without one (fewer rows),
    /// everything before `cutoff`. The start bound is what lets SQLite walk the index only as far as the
    /// step reaches (a row-value comparison `(start, mac) <= (?, ?)` is not used as an index bound).
    private func stepRange(_ tier: TrafficSample.Tier, before cutoff: Timestamp, limit: Int) throws(HistoryError)
        -> [SQLiteValue]
    {
        var range: [SQLiteValue] = [.integer(cutoff.nanoseconds - 1), .text("~")]
        try prepared(
            """
            SELECT start, mac FROM traffic_samples WHERE tier = ?1 AND start < ?2 ORDER BY start, mac
            LIMIT 1 OFFSET ?3
            """
        ).query([.integer(Int64(tier.rawValue)), .integer(cutoff.nanoseconds), .integer(Int64(limit - 1))]) {
            row throws(HistoryError) in range = [.integer(row.integer(0)), .text(row.text(1))]
        }
        return range
    }

    /// The rows of one step: `tier = ?1` within `stepRange`'s `?2`, `?3`.
    private static let stepCondition = "tier = ?1 AND start <= ?2 AND (start < ?2 OR mac <= ?3)"

    private func fold(
        _ tier: TrafficSample.Tier, into coarser: TrafficSample.Tier, before cutoff: Timestamp, limit: Int
    ) throws(HistoryError) -> Int {
        let bucket = (coarser.bucketSeconds ?? 1) * 1_000_000_000
        return try locked { () throws(HistoryError) in
            try database.transaction { () throws(HistoryError) -> Int in
                let range = try stepRange(tier, before: cutoff, limit: limit)
                let values: [SQLiteValue] =
                    [.integer(Int64(tier.rawValue))] + range + [
                        .integer(Int64(coarser.rawValue)), .integer(bucket), .integer(coarser.bucketSeconds ?? 1),
                    ]
                do throws(SQLiteError) {
                    // The SELECT has its own WHERE, so the upsert's ON CONFLICT parses unambiguously
                    // (sqlite.org/lang_upsert.html, "Parsing Ambiguity").
                    try database.statement(
                        """
                        INSERT INTO traffic_samples (mac, tier, start, seconds, transmitted_bytes, transmitted_packets,
                            received_bytes, received_packets)
                        SELECT mac, ?4, start - (start % ?5), ?6, sum(transmitted_bytes), sum(transmitted_packets),
                            sum(received_bytes), sum(received_packets)
                        FROM traffic_samples WHERE \(Self.stepCondition)
                        GROUP BY mac, start - (start % ?5)
                        ON CONFLICT (mac, tier, start) DO UPDATE SET
                            transmitted_bytes = traffic_samples.transmitted_bytes + excluded.transmitted_bytes,
                            transmitted_packets = traffic_samples.transmitted_packets + excluded.transmitted_packets,
                            received_bytes = traffic_samples.received_bytes + excluded.received_bytes,
                            received_packets = traffic_samples.received_packets + excluded.received_packets
                        """
                    ).run(values)
                    try database.statement("DELETE FROM traffic_samples WHERE \(Self.stepCondition)").run(
                        Array(values.prefix(3)))
                } catch {
                    throw .sqlite(error)
                }
                return database.changes
            }
        }
    }

    private func deleteSamples(_ tier: TrafficSample.Tier, before cutoff: Timestamp, limit: Int) throws(HistoryError)
        -> Int
    {
        try locked { () throws(HistoryError) in
            try database.transaction { () throws(HistoryError) -> Int in
                let range = try stepRange(tier, before: cutoff, limit: limit)
                do throws(SQLiteError) {
                    try database.statement("DELETE FROM traffic_samples WHERE \(Self.stepCondition)").run(
                        [.integer(Int64(tier.rawValue))] + range)
                } catch {
                    throw .sqlite(error)
                }
                return database.changes
            }
        }
    }

    private func deletePresence(endedBefore cutoff: Timestamp, limit: Int) throws(HistoryError) -> Int {
        try locked { () throws(HistoryError) in
            try database.transaction { () throws(HistoryError) -> Int in
                do throws(SQLiteError) {
                    try database.statement(
                        """
                        DELETE FROM presence WHERE (mac, start) IN (
                            SELECT mac, start FROM presence WHERE end < ?1 ORDER BY end LIMIT ?2)
                        """
                    ).run([.integer(cutoff.nanoseconds), .integer(Int64(limit))])
                } catch {
                    throw .sqlite(error)
                }
                return database.changes
            }
        }
    }
}
