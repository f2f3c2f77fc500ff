extension HistoryStore {
    /// `PRAGMA integrity_check`'s first line: `ok` for a sound file (sqlite.org/pragma.html#pragma_integrity_check).
    public func integrityCheck() throws(HistoryError) -> String {
        try locked { () throws(HistoryError) in try database.scalarText("PRAGMA integrity_check") ?? "" }
    }

    /// Rows whose parent row is missing (`PRAGMA foreign_key_check`): 0 in a sound store.
    public func foreignKeyViolations() throws(HistoryError) -> Int {
        try locked { () throws(HistoryError) in
            var rows = 0
            try prepared("PRAGMA foreign_key_check").query { _ throws(HistoryError) in rows += 1 }
            return rows
        }
    }

    /// Whether the connection enforces foreign keys (`PRAGMA foreign_keys`): on, except inside a
    /// batch write (tests check it is back on after one).
    var enforcesForeignKeys: Bool {
        get throws(HistoryError) {
            try locked { () throws(HistoryError) in try database.scalarInteger("PRAGMA foreign_keys") == 1 }
        }
    }
}

/// How much of the database file is in use (`PRAGMA page_count`, `freelist_count`, `page_size`).
public struct StoreSize: Sendable, Hashable {
    public var pages: Int
    public var freePages: Int
    public var pageSize: Int
    /// Bytes the rows and indexes take (free pages are reused before the file grows).
    public var usedBytes: Int { (pages - freePages) * pageSize }
    /// Bytes of the database file, as a clean stop leaves it (the WAL checkpointed into it).
    public var fileBytes: Int { pages * pageSize }
}

extension HistoryStore {
    /// The database's size in pages, as the current connection sees it (WAL content included).
    public func size() throws(HistoryError) -> StoreSize {
        try locked { () throws(HistoryError) in
            StoreSize(
                pages: Int(try database.scalarInteger("PRAGMA page_count") ?? 0),
                freePages: Int(try database.scalarInteger("PRAGMA freelist_count") ?? 0),
                pageSize: Int(try database.scalarInteger("PRAGMA page_size") ?? 0))
        }
    }
}
