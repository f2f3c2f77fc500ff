import Foundation
import Testing

@testable import History

/// A reused statement binds each row's values in place: every row stores its own values, whatever
/// the rows before it held (longer or shorter texts, NULLs, embedded NULs), and parameters a run
/// gives no value are NULL rather than left over from the previous row.
@Suite struct StatementBindingTests {
    static func database(_ dir: TemporaryDirectory) throws -> Database {
        let path = dir.path + "/bind.db"
        // A connection never creates its file (the store does, with its own mode).
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let database = try Database(path: path)
        try database.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER, d BLOB)")
        return database
    }

    static func rows(_ database: Database) throws -> [[SQLiteValue]] {
        var out: [[SQLiteValue]] = []
        try database.statement("SELECT a, b, c, d FROM t ORDER BY n").rows([]) { row in
            func text(_ column: Int32) -> SQLiteValue { row.isNull(column) ? .null : .text(row.text(column)) }
            out.append([
                text(0), text(1), row.isNull(2) ? .null : .integer(row.integer(2)),
                row.isNull(3) ? .null : .text("blob"),
            ])
        }
        return out
    }

    @Test func run_eachRowStoresItsOwnValues() throws {
        let dir = try TemporaryDirectory()
        let database = try Self.database(dir)
        let insert = try database.statement("INSERT INTO t (n, a, b, c) VALUES (?1, ?2, ?3, ?4)")
        let long = String(repeating: "long value ", count: 100)
        let rows: [[SQLiteValue]] = [
            [.text(long), .text("short"), .integer(1)],
            [.text("x"), .text(long + "é"), .null],
            [.text(""), .text("nul\u{0}inside"), .integer(-3)],
            [.null, .text("after null"), .integer(4)],
            [.text("ünïcödé 🌐"), .text(""), .integer(5)],
        ]
        for (n, row) in rows.enumerated() { try insert.run([.integer(Int64(n))] + row) }
        let stored = try Self.rows(database)
        #expect(stored.map { Array($0.prefix(3)) } == rows)
        database.close()
    }

    @Test func run_parametersWithoutAValue_areNullNotThePreviousRows() throws {
        let dir = try TemporaryDirectory()
        let database = try Self.database(dir)
        let insert = try database.statement("INSERT INTO t (n, a, b, c) VALUES (?1, ?2, ?3, ?4)")
        try insert.run([.integer(1), .text("first a"), .text("first b"), .integer(7)])
        try insert.run([.integer(2), .text("second a")])
        let stored = try Self.rows(database)
        #expect(
            stored == [
                [.text("first a"), .text("first b"), .integer(7), .null], [.text("second a"), .null, .null, .null],
            ])
        database.close()
    }

    @Test func query_bindsTextsItsRowsAreMatchedOn() throws {
        let dir = try TemporaryDirectory()
        let database = try Self.database(dir)
        let insert = try database.statement("INSERT INTO t (n, a, b) VALUES (?1, ?2, ?3)")
        for n in 0..<50 {
            try insert.run([.integer(Int64(n)), .text("key-\(n)-" + String(repeating: "k", count: n)), .text("v\(n)")])
        }
        let select = try database.statement("SELECT b FROM t WHERE a = ?1")
        for n in stride(from: 49, through: 0, by: -7) {
            var found: [String] = []
            try select.rows([.text("key-\(n)-" + String(repeating: "k", count: n))]) { found.append($0.text(0)) }
            #expect(found == ["v\(n)"])
        }
        database.close()
    }
}
