import Platform

/// What can go wrong in the history store. Messages name the database path or the SQL, never a
/// stored value (MACs and hostnames stay out of logs).
public enum HistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A parent directory of the database could not be created (`errno` from `mkdir`).
    case cannotCreateDirectory(path: String, errno: Int32)
    /// The database file could not be created or opened (`errno` from `open`).
    case cannotCreateFile(path: String, errno: Int32)
    /// SQLite refused the file: unreadable, not a database, corrupt, locked...
    case cannotOpen(path: String, underlying: SQLiteError)
    /// The file was written by a newer lanscope (more migrations than this build knows).
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// Opened read-only, the file has fewer migrations than this build knows and cannot be
    /// upgraded without writing (`found` 0: not a lanscope database yet).
    case schemaTooOld(path: String, found: Int, supported: Int)
    /// The store was used after `close()`.
    case closed(path: String)
    /// A migration failed; the database stays at `version - 1`.
    case migrationFailed(path: String, version: Int, underlying: SQLiteError)
    /// `journal_mode=WAL` was not accepted (e.g. a file system without shared memory support).
    case walUnavailable(path: String, journalMode: String)
    /// A statement failed after the database was opened.
    case sqlite(SQLiteError)
    /// A stored value could not be read back (a table edited by hand, or damaged).
    case invalidStoredValue(table: String, column: String)
    /// A batch carried traffic counters but no capture record to file them under.
    case trafficWithoutCapture

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let code):
            return "cannot create directory \(path) for the history database: \(errnoText(code))"
        case .cannotCreateFile(let path, let code):
            return "cannot create or open history database \(path): \(errnoText(code))"
        case .cannotOpen(let path, let underlying):
            return "cannot open history database \(path): \(underlying)"
        case .schemaTooNew(let path, let found, let supported):
            return
                "history database \(path) has schema version \(found), newer than this lanscope supports "
                + "(\(supported)); it was left untouched: use the lanscope release that wrote it"
        case .schemaTooOld(let path, let found, let supported):
            return
                "history database \(path) has schema version \(found), older than this lanscope's (\(supported)); "
                + "it is not upgraded when opened read-only: open it once read-write (lanscope run or replay)"
        case .closed(let path):
            return "history database \(path) is closed"
        case .migrationFailed(let path, let version, let underlying):
            return "history database \(path): migration \(version) failed: \(underlying)"
        case .walUnavailable(let path, let mode):
            return "history database \(path): write-ahead logging unavailable (journal mode stays \(mode))"
        case .sqlite(let underlying):
            return "history database: \(underlying)"
        case .invalidStoredValue(let table, let column):
            return "history database: unreadable value in \(table).\(column)"
        case .trafficWithoutCapture:
            return "history batch has traffic counters but no capture record (a capture key is required)"
        }
    }
}
