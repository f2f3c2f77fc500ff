public import LanscopeCore

extension HistoryStore {
    /// Deletes evidence rows last seen before `olderThan`; returns how many were deleted. Devices,
    /// their addresses and anomaly events are kept.
    public func pruneEvidence(olderThan cutoff: Timestamp) throws(HistoryError) -> Int {
        try locked { () throws(HistoryError) in
            try database.transaction { () throws(HistoryError) in
                do throws(SQLiteError) {
                    try database.statement("DELETE FROM evidence WHERE last_seen < ?1").run([
                        .integer(cutoff.nanoseconds)
                    ])
                } catch {
                    throw .sqlite(error)
                }
                return database.changes
            }
        }
    }
}
