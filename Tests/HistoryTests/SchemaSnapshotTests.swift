import Foundation
import Testing

@testable import History

/// The schema after all migrations, compared byte for byte with `Golden/schema.sql`. A change
/// here means a new migration was added (re-record with `LANSCOPE_RECORD_GOLDEN=1`; the recording
/// run fails on purpose) — or that a shipped migration was edited, which is never allowed.
@Suite struct SchemaSnapshotTests {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/schema.sql").path

    @Test func schema_matchesGoldenFile_afterAllMigrations() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let dump = try store.schemaDump()
        if ProcessInfo.processInfo.environment["LANSCOPE_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: Self.goldenPath).deletingLastPathComponent().path,
                withIntermediateDirectories: true)
            try Data(dump.utf8).write(to: URL(fileURLWithPath: Self.goldenPath))
            Issue.record("recorded \(Self.goldenPath); run again without LANSCOPE_RECORD_GOLDEN to compare")
            return
        }
        let golden = try #require(
            FileManager.default.contents(atPath: Self.goldenPath),
            "missing \(Self.goldenPath): record it with LANSCOPE_RECORD_GOLDEN=1")
        #expect(dump == String(decoding: golden, as: UTF8.self))
    }

    @Test func schema_isSameWhetherMigratedAtOnceOrReopened() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        let first = try HistoryStore(path: path).schemaDump()
        let again = try HistoryStore(path: path).schemaDump()
        #expect(first == again)
    }
}
