internal import CSQLite

/// One SQLite connection. Opened with `SQLITE_OPEN_FULLMUTEX` so the library itself never sees
/// concurrent use of the handle, but that alone does not keep transactions apart: the owner
/// (`HistoryStore`) runs every operation under its own lock, one at a time. Prepared statements are
/// cached by SQL text and reused, which is what makes a 10,000-device batch cheap.
final class Database {
    let path: String
    private let connection: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// Opens an existing file read-write; it never creates one (the store creates the file itself
    /// with mode 0600 first, so SQLite cannot create it with the process umask).
    init(path: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE
        let result = sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK, let handle else {
            let error = SQLiteError(result: result, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.path = path
        self.connection = handle
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(connection)
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
    func transaction<T>(_ body: () throws(HistoryError) -> T) throws(HistoryError) -> T {
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
