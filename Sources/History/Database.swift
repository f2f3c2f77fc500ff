internal import CSQLite

/// One SQLite connection, used by one thread at a time: the owner (`HistoryStore`) runs every
/// operation under its own lock, which is also what keeps transactions apart. So it is opened with
/// `SQLITE_OPEN_NOMUTEX` (sqlite.org/threadsafe.html, multi-thread mode): the library's own mutex
/// on every call (a few percent of a large write) would only repeat that lock. Prepared statements
/// are cached by SQL text and reused, which is what makes a 10,000-device batch cheap.
final class Database {
    let path: String
    /// `nil` once `close()` has run; every use after that is a programming error the store guards
    /// against (`HistoryStore.locked` refuses to run once closed).
    private var connection: OpaquePointer!
    private var statements: [String: Statement] = [:]

    /// How the file is opened.
    enum Access {
        /// Read-write; never creates the file (the store creates it itself with mode 0600 first, so
        /// SQLite cannot create it with the process umask).
        case readWrite
        /// `SQLITE_OPEN_READONLY`: nothing is ever written to the database file.
        case readOnly
        /// Read-only and `immutable=1` (sqlite.org/uri.html#uriimmutable): no locks, no `-wal` or
        /// `-shm`. Only for a file nothing can change, such as one on a read-only mount.
        case immutable
    }

    /// Process-wide settings, made once before the first connection opens (SQLite accepts them only
    /// before it initialises). Memory statistics off: nothing reads them, and keeping them takes a
    /// global mutex around every allocation SQLite makes (a few percent of a large write).
    private static let configured: Int32 = lanscope_sqlite_disable_memstatus()

    init(path: String, access: Access = .readWrite) throws(SQLiteError) {
        _ = Database.configured
        var handle: OpaquePointer?
        let common = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE
        let result: Int32
        switch access {
        case .readWrite:
            result = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | common, nil)
        case .readOnly:
            result = sqlite3_open_v2(
                Self.uri(path, query: "mode=ro"), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | common, nil)
        case .immutable:
            result = sqlite3_open_v2(
                Self.uri(path, query: "mode=ro&immutable=1"), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | common,
                nil)
        }
        guard result == SQLITE_OK, let handle else {
            let error = SQLiteError(result: result, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.path = path
        self.connection = handle
    }

    deinit { close() }

    /// Finalizes every cached statement and closes the connection (the last connection to a WAL
    /// database checkpoints it and removes `-wal` and `-shm`). Idempotent.
    func close() {
        guard let connection else { return }
        statements.removeAll()
        sqlite3_close_v2(connection)
        self.connection = nil
    }

    var isClosed: Bool { connection == nil }

    /// A `file:` URI for `path` (sqlite.org/uri.html): characters URI syntax gives a meaning to
    /// (`?`, `#`, `%`, and anything outside unreserved ASCII) are percent-encoded so a path is
    /// never read as query parameters.
    static func uri(_ path: String, query: String) -> String {
        // An absolute path goes after an empty authority (`file:///...`), so a path that starts with
        // `//` is never read as a host name.
        var out = path.hasPrefix("/") ? "file://" : "file:"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += String(decoding: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out + "?" + query
    }

    /// Runs one or more statements without parameters (schema, pragmas, transaction control).
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(connection, sql, nil, nil, &message)
        guard result == SQLITE_OK else {
            var error = SQLiteError(result: result, connection: connection, sql: sql)
            if let message {
                error.message = String(cString: message)
                sqlite3_free(message)
            }
            throw error
        }
    }

    /// A cached prepared statement for `sql`.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] { return cached }
        let prepared = try Statement(sql: sql, connection: connection)
        statements[sql] = prepared
        return prepared
    }

    /// The first column of the first row of `sql`, as an integer (pragmas such as `user_version`).
    func scalarInteger(_ sql: String) throws(HistoryError) -> Int64? {
        var value: Int64?
        let prepared: Statement
        do throws(SQLiteError) { prepared = try statement(sql) } catch { throw .sqlite(error) }
        try prepared.query { row throws(HistoryError) in if value == nil { value = row.optionalInteger(0) } }
        return value
    }

    /// The first column of the first row of `sql`, as text (`PRAGMA journal_mode`).
    func scalarText(_ sql: String) throws(HistoryError) -> String? {
        var value: String?
        let prepared: Statement
        do throws(SQLiteError) { prepared = try statement(sql) } catch { throw .sqlite(error) }
        try prepared.query { row throws(HistoryError) in if value == nil { value = row.optionalText(0) } }
        return value
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`, so a concurrent writer in another
    /// process waits on `busy_timeout` at the start rather than failing at the first write); rolls
    /// back on any error.
    ///
    /// `checkingForeignKeys` false: SQLite does not look up each inserted row's parent (the
    /// connection's `foreign_keys` is off for the transaction and back on after it, whatever its
    /// outcome; the pragma cannot change inside one). Only for a body that writes every parent row
    /// before its children itself and deletes no parent row (no cascade would run).
    func transaction<T>(checkingForeignKeys: Bool = true, _ body: () throws(HistoryError) -> T) throws(HistoryError)
        -> T
    {
        if !checkingForeignKeys {
            do throws(SQLiteError) { try execute("PRAGMA foreign_keys = OFF") } catch { throw .sqlite(error) }
        }
        defer { if !checkingForeignKeys { try? execute("PRAGMA foreign_keys = ON") } }
        do throws(SQLiteError) { try execute("BEGIN IMMEDIATE") } catch { throw .sqlite(error) }
        let value: T
        do throws(HistoryError) {
            value = try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        do throws(SQLiteError) {
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw .sqlite(error)
        }
        return value
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes64(connection)) }
}
