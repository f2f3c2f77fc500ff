extension HistoryStore {
    /// `PRAGMA integrity_check`'s first line: `ok` for a sound file (sqlite.org/pragma.html#pragma_integrity_check).
    public func integrityCheck() throws(HistoryError) -> String {
        try locked { () throws(HistoryError) in try database.scalarText("PRAGMA integrity_check") ?? "" }
    }
}
