import Foundation
import Glibc
import LanscopeCore
import Testing

@testable import History

/// After `close()` the database is one self-contained file.
@Suite struct HistoryStoreCloseTests {
    private func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    @Test func close_checkpointsAndRemovesWALAndSHM_afterWrites() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        let store = try HistoryStore(path: path)
        try store.write(Fixtures.fullBatch(devices: 500))
        #expect((size(path + "-wal") ?? 0) > 0, "the writes should sit in the write-ahead log before close")
        #expect(size(path + "-shm") != nil)

        try store.close()
        #expect(size(path + "-wal") == nil)
        #expect(size(path + "-shm") == nil)
        // Self-contained: the file alone, copied elsewhere, holds every row.
        let copyDir = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: path, toPath: copyDir.file("copy.db"))
        let copy = try HistoryStore(path: copyDir.file("copy.db"))
        #expect(try copy.devices().count == 500)
        // Withheld from the store still in use (`store` is kept alive to the end).
        withExtendedLifetime(store) {}
    }

    @Test func close_makesLaterCallsThrowClosed_andIsIdempotent() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        let store = try HistoryStore(path: path)
        try store.write(Fixtures.fullBatch())
        try store.close()
        try store.close()
        #expect(throws: HistoryError.closed(path: path)) { try store.devices() }
        #expect(throws: HistoryError.closed(path: path)) { try store.write(Fixtures.fullBatch()) }
        #expect(store.schemaVersion == 0)
    }

    @Test func close_keepsWAL_whenAnotherConnectionIsOpen_andThatOneRemovesIt() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        let writer = try HistoryStore(path: path)
        try writer.write(Fixtures.fullBatch())
        let reader = try HistoryStore(path: path)
        try writer.close()  // cannot leave WAL mode while `reader` is open: still no error
        #expect(try reader.devices().count == 3)
        try reader.close()
        #expect(size(path + "-wal") == nil)
        #expect(size(path + "-shm") == nil)
    }
}
