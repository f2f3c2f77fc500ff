internal import CSQLite

/// A failed SQLite call. Carries the statement text but never the values bound to it: MAC
/// addresses and hostnames must not end up in logs through an error message.
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Primary result code (`SQLITE_BUSY` = 5, `SQLITE_CORRUPT` = 11, `SQLITE_NOTADB` = 26...).
    public var code: Int32
    /// Extended result code (e.g. `SQLITE_CONSTRAINT_UNIQUE` = 2067); equals `code` when none.
    public var extendedCode: Int32
    /// SQLite's own message (`sqlite3_errmsg`), or the result-code text when there is none.
    public var message: String
    /// The statement being prepared or run, if any.
    public var sql: String?

    public init(code: Int32, extendedCode: Int32, message: String, sql: String?) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// Reads the error state of `connection` after `result` came back from a call.
    init(result: Int32, connection: OpaquePointer?, sql: String?) {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? result
        let text: String
        if let connection, let raw = sqlite3_errmsg(connection) {
            text = String(cString: raw)
        } else if let raw = sqlite3_errstr(result) {
            text = String(cString: raw)
        } else {
            text = "unknown error"
        }
        self.init(code: result & 0xFF, extendedCode: extended, message: text, sql: sql)
    }

    public var description: String {
        var out = "SQLite error \(code) (extended \(extendedCode)): \(message)"
        if let sql { out += " in `\(sql)`" }
        return out
    }
}
