import Foundation
import Glibc
import LanscopeCore
import TestSupport
import Testing

@testable import History

/// Opening read-only writes nothing, works on a read-only mount, and refuses what it cannot read.
@Suite(.serialized) struct HistoryStoreReadOnlyTests {
    private let readOnly = HistoryStore.Configuration(readOnly: true)

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    private func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// A database with the full fixture batch, closed cleanly.
    private func populated(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.file("lanscope.db")
        let store = try HistoryStore(path: path)
        try store.write(Fixtures.fullBatch())
        try store.close()
        return path
    }

    @Test func init_readOnly_readsEverything_whenDirectoryIsReadOnly() throws {
        let dir = try TemporaryDirectory()
        let path = try populated(dir)
        let guarded = ReadOnlyDirectory(dir.path)
        if let reason = guarded.skipReason {
            print(reason)
            return
        }
        let store = try HistoryStore(path: path, configuration: readOnly)
        #expect(try store.devices().count == 3)
        #expect(try store.anomalies(since: nil, limit: nil).count == 2)
        #expect(try store.evidencePage(for: Fixtures.mac(1)).total == 3)
        try store.close()
        #expect(!exists(path + "-wal") && !exists(path + "-shm"))
        withExtendedLifetime(guarded) {}
    }

    @Test func init_readOnly_readsWALModeFile_whenDirectoryIsReadOnly() throws {
        // A copy taken while the service runs: the header says WAL and no -wal/-shm can be created.
        let source = try TemporaryDirectory()
        let store = try HistoryStore(path: source.file("lanscope.db"))
        try store.write(Fixtures.fullBatch())
        try store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        try FileManager.default.copyItem(atPath: source.file("lanscope.db"), toPath: path)
        #expect(try bytes(path)[18] == 2)  // file format write version 2: WAL
        let guarded = ReadOnlyDirectory(dir.path)
        if let reason = guarded.skipReason {
            print(reason)
            return
        }
        let copy = try HistoryStore(path: path, configuration: readOnly)
        #expect(try copy.devices().count == 3)
        withExtendedLifetime(guarded) {}
    }

    @Test func init_readOnly_seesLiveWrites_whileWriterHoldsWAL() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        let writer = try HistoryStore(path: path)
        try writer.write(Fixtures.fullBatch())
        let reader = try HistoryStore(path: path, configuration: readOnly)
        #expect(try reader.devices().count == 3)
        // Not an immutable snapshot: a later write is visible to the same reader.
        try writer.write(HistoryBatch(devices: [Fixtures.device(9)]))
        #expect(try reader.devices().count == 4)
        try reader.close()
        #expect(exists(path + "-wal"), "the reader must leave the writer's log in place")
        try writer.write(HistoryBatch(devices: [Fixtures.device(10)]))
        try writer.close()
        #expect(!exists(path + "-wal") && !exists(path + "-shm"))
    }

    @Test func init_readOnly_changesNothing_whenDirectoryIsWritable() throws {
        let dir = try TemporaryDirectory()
        let path = try populated(dir)
        let before = try bytes(path)
        let store = try HistoryStore(path: path, configuration: readOnly)
        #expect(try store.devices().count == 3)
        #expect(throws: HistoryError.self) { try store.write(HistoryBatch(devices: [Fixtures.device(9)])) }
        try store.close()
        #expect(try bytes(path) == before)
        #expect(!exists(path + "-wal") && !exists(path + "-shm") && !exists(path + "-journal"))
    }

    @Test func init_readOnly_refusesEmptyFile_andLeavesIt() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let error = try #require(throws: HistoryError.self) { try HistoryStore(path: path, configuration: readOnly) }
        #expect(error == .schemaTooOld(path: path, found: 0, supported: HistoryStore.latestSchemaVersion))
        #expect(error.description.contains("read-write"))
        #expect(try bytes(path).isEmpty)
    }

    @Test func init_readOnly_throwsCannotOpen_whenFileIsMissing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("missing.db")
        let error = try #require(throws: HistoryError.self) { try HistoryStore(path: path, configuration: readOnly) }
        guard case .cannotOpen(let failed, _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(failed == path)
        #expect(!exists(path))
    }

    /// `walHeader`: the file as a running (or killed) newer lanscope leaves it, in WAL mode; a
    /// close after the refused open must not switch it back to rollback-journal mode.
    @Test(arguments: [false, true], [false, true])
    func init_refusesNewerSchema_andLeavesFileUntouched(readOnlyOpen: Bool, walHeader: Bool) throws {
        let source = try TemporaryDirectory()
        let store = try HistoryStore(path: source.file("lanscope.db"))
        try store.write(Fixtures.fullBatch())
        try store.database.execute("PRAGMA user_version = \(Migrations.all.count + 1)")
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        if walHeader {
            try store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try FileManager.default.copyItem(atPath: source.file("lanscope.db"), toPath: path)
        }
        try store.close()
        if !walHeader { try FileManager.default.copyItem(atPath: source.file("lanscope.db"), toPath: path) }
        let before = try bytes(path)
        #expect(before[18] == (walHeader ? 2 : 1))  // file format write version: 2 WAL, 1 rollback journal
        let configuration = HistoryStore.Configuration(readOnly: readOnlyOpen)
        let error = try #require(throws: HistoryError.self) {
            try HistoryStore(path: path, configuration: configuration)
        }
        #expect(error == .schemaTooNew(path: path, found: Migrations.all.count + 1, supported: Migrations.all.count))
        #expect(error.description.contains("newer than this lanscope supports"))
        #expect(try bytes(path) == before)
        #expect(!exists(path + "-journal"))
        if !walHeader { #expect(!exists(path + "-wal") && !exists(path + "-shm")) }
    }
}
