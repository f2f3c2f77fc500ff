import Foundation
import LanscopeCore
import Testing

@testable import History

/// Upgrades from every earlier schema version, on real files.
@Suite struct HistoryStoreMigrationTests {
    static let v1Path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/v1-database.sql").path

    /// A file at schema `version`: the first `version` migrations applied by hand, as that release did.
    static func database(at version: Int, path: String) throws {
        let database = try Database(path: path)
        for sql in Migrations.all.prefix(version) { try database.execute(sql) }
        try database.execute("PRAGMA user_version = \(version)")
        try database.execute(
            """
            INSERT INTO devices (mac, first_seen, last_seen, locally_administered)
            VALUES ('00:11:22:33:44:55', 1700000000000000000, 1700000060000000000, 0)
            """)
        database.close()
    }

    static func integrity(_ store: HistoryStore) throws -> String? {
        try store.database.scalarText("PRAGMA integrity_check")
    }

    @Test func init_upgradesShippedV1Database_keepingItsRows() throws {
        let sql = try String(contentsOfFile: Self.v1Path, encoding: .utf8)
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        do {
            let raw = try Database(path: path)
            try raw.execute(sql)
            #expect(try raw.scalarInteger("PRAGMA user_version") == 1)
            raw.close()
        }
        let store = try HistoryStore(path: path)
        #expect(store.schemaVersion == HistoryStore.latestSchemaVersion)
        #expect(try Self.integrity(store) == "ok")
        let devices = try store.devices()
        #expect(devices.map(\.mac.description) == ["00:11:22:33:44:01", "02:00:00:00:00:02"])
        let printer = try #require(devices.first)
        #expect(printer.hostname == "printer")
        #expect(printer.addresses.count == 2)
        #expect(printer.traffic.transmittedBytes == 1000)
        #expect(try store.anomalies(since: nil, limit: nil).map(\.kind) == [.newDevice])
        // The upgraded file takes the new tables' rows.
        try store.write(
            HistoryBatch(samples: [
                TrafficSample(
                    mac: printer.mac, start: Timestamp(seconds: 1_700_000_100), seconds: 10, transmittedBytes: 5)
            ]))
        #expect(try store.samples(for: printer.mac, since: nil).count == 1)
        // Same schema as a file created by this build.
        let fresh = try TemporaryDirectory()
        #expect(try store.schemaDump() == (try HistoryStore(path: fresh.file("new.db")).schemaDump()))
    }

    @Test func init_upgradesFromEveryEarlierVersion() throws {
        let fresh = try TemporaryDirectory()
        let latest = try HistoryStore(path: fresh.file("new.db")).schemaDump()
        for version in 1..<HistoryStore.latestSchemaVersion {
            let dir = try TemporaryDirectory()
            let path = dir.file("lanscope.db")
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            try Self.database(at: version, path: path)
            let store = try HistoryStore(path: path)
            #expect(store.schemaVersion == HistoryStore.latestSchemaVersion, "from \(version)")
            #expect(try Self.integrity(store) == "ok", "from \(version)")
            #expect(try store.devices().count == 1, "from \(version)")
            #expect(try store.schemaDump() == latest, "from \(version)")
        }
    }
}
