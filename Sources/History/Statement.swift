internal import CSQLite

/// A prepared statement, reused across rows: `run` and `query` reset it and bind every parameter
/// anew (those given no value are cleared to NULL), so no value from a previous row can leak into
/// the next one. Not thread-safe on its own; the owning `Database` is only used under its caller's
/// lock.
final class Statement {
    let sql: String
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    /// The statement's parameters (`?NNN` numbers up to this).
    private let parameterCount: Int
    /// The bound row's text values, one after another: bound in place (`SQLITE_STATIC`), so binding
    /// a text is a copy into this buffer rather than an allocation and a copy inside SQLite. Written
    /// only by `bind`, which first resets the statement: no step ever reads a previous row's bytes.
    private var texts: UnsafeMutableRawPointer?
    private var textCapacity = 0

    init(sql: String, connection: OpaquePointer) throws(SQLiteError) {
        var prepared: OpaquePointer?
        let result = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard result == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw SQLiteError(result: result, connection: connection, sql: sql)
        }
        self.sql = sql
        self.handle = prepared
        self.connection = connection
        parameterCount = Int(sqlite3_bind_parameter_count(prepared))
    }

    deinit {
        sqlite3_finalize(handle)
        texts?.deallocate()
    }

    /// Room for `bytes` bytes of text in `texts` (its old contents are not kept).
    private func reserveTexts(_ bytes: Int) -> UnsafeMutableRawPointer {
        if let texts, bytes <= textCapacity { return texts }
        texts?.deallocate()
        textCapacity = max(bytes, 2 * textCapacity, 256)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: textCapacity, alignment: 1)
        texts = buffer
        return buffer
    }

    /// Runs a statement that returns no rows (or whose rows are ignored).
    func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Runs a query and hands each row to `body`, which reads it through `Row`.
    func query(_ values: [SQLiteValue] = [], _ body: (Row) throws(HistoryError) -> Void) throws(HistoryError) {
        do throws(SQLiteError) { try bind(values) } catch { throw .sqlite(error) }
        defer { sqlite3_reset(handle) }
        while true {
            let more: Bool
            do throws(SQLiteError) { more = try step() } catch { throw .sqlite(error) }
            guard more else { return }
            try body(Row(handle: handle, sql: sql))
        }
    }

    /// Runs a query inside a write (its errors stay `SQLiteError`) and hands each row to `body`.
    func rows(_ values: [SQLiteValue], _ body: (Row) -> Void) throws(SQLiteError) {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { body(Row(handle: handle, sql: sql)) }
    }

    private func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        // Values for every parameter replace the previous row's (binding releases the old value
        // itself): clearing first only when some parameter gets none.
        if values.count < parameterCount { sqlite3_clear_bindings(handle) }
        var textBytes = 0
        for value in values { if case .text(let v) = value { textBytes += v.utf8.count } }
        // At least one byte: an empty text is bound to a valid pointer (a NULL one would bind NULL).
        let texts = reserveTexts(max(textBytes, 1))
        var textOffset = 0
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null:
                result = sqlite3_bind_null(handle, index)
            case .integer(let v):
                result = sqlite3_bind_int64(handle, index, v)
            case .real(let v):
                result = sqlite3_bind_double(handle, index, v)
            case .text(let v):
                // Explicit byte length: embedded NUL bytes are kept, not treated as a terminator.
                let start = texts + textOffset
                var copy = v
                let count = copy.withUTF8 { bytes -> Int in
                    if let base = bytes.baseAddress { start.copyMemory(from: base, byteCount: bytes.count) }
                    return bytes.count
                }
                textOffset += count
                result = sqlite3_bind_text64(
                    handle, index, start.assumingMemoryBound(to: CChar.self), sqlite3_uint64(count),
                    lanscope_sqlite_static(), UInt8(SQLITE_UTF8))
            case .blob(let v):
                result = v.withUnsafeBytes { bytes -> Int32 in
                    // A NULL pointer would store SQL NULL, not an empty blob.
                    guard let base = bytes.baseAddress, !bytes.isEmpty else {
                        return sqlite3_bind_zeroblob(handle, index, 0)
                    }
                    return sqlite3_bind_blob64(
                        handle, index, base, sqlite3_uint64(bytes.count), lanscope_sqlite_transient())
                }
            }
            guard result == SQLITE_OK else { throw SQLiteError(result: result, connection: connection, sql: sql) }
        }
    }

    private func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(result: result, connection: connection, sql: sql)
        }
    }

    /// The current row of a query. Valid only inside the `query` callback.
    struct Row {
        fileprivate let handle: OpaquePointer
        let sql: String

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        func optionalInteger(_ column: Int32) -> Int64? { isNull(column) ? nil : integer(column) }

        func counter(_ column: Int32) -> UInt64 { UInt64(bitPattern: integer(column)) }

        func bool(_ column: Int32) -> Bool { integer(column) != 0 }

        /// Text read by byte count (keeps embedded NULs); bytes that are not UTF-8 become U+FFFD.
        func optionalText(_ column: Int32) -> String? {
            guard !isNull(column) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let raw = sqlite3_column_text(handle, column) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: raw, count: count), as: UTF8.self)
        }

        func text(_ column: Int32) -> String { optionalText(column) ?? "" }
    }
}
