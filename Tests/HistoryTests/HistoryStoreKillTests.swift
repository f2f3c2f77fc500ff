import Foundation
import Glibc
import LanscopeCore
import Testing

@testable import History

/// A writer killed with SIGKILL at arbitrary moments, many times over, on a real file: the database
/// must open, pass `PRAGMA integrity_check`, and hold every batch whose commit was reported.
@Suite(.serialized) struct HistoryStoreKillTests {
    static let helper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/HistoryWriteLoop").path
    /// Samples per batch written by the helper.
    static let perBatch = 200

    /// Starts the helper at batch `first`, waits until it has reported `commits` batches, kills it.
    /// Returns the last batch number it reported.
    static func writeAndKill(_ path: String, first: Int, commits: Int) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [path, String(first)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        var last = first - 1
        let deadline = Date().addingTimeInterval(60)
        while last - first + 1 < commits && Date() < deadline && process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { continue }
            text += String(decoding: chunk, as: UTF8.self)
            let complete = text.split(separator: "\n", omittingEmptySubsequences: true)
            let lines = text.hasSuffix("\n") ? complete : complete.dropLast()
            if let number = lines.last.flatMap({ Int($0) }) { last = number }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return last
    }

    @Test func killedWriter_leavesIntactDatabase_withEveryCommittedBatch() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.helper),
            "missing \(Self.helper): build it with swift build --build-tests")
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        var generator = SystemRandomNumberGenerator()
        var next = 0
        for iteration in 0..<20 {
            let last = try Self.writeAndKill(path, first: next, commits: Int.random(in: 1...12, using: &generator))
            #expect(last >= next, "iteration \(iteration): the helper reported no commit")
            let store = try HistoryStore(path: path)
            #expect(try store.database.scalarText("PRAGMA integrity_check") == "ok", "iteration \(iteration)")
            var rows: Int64 = 0
            try store.prepared("SELECT count(*) FROM traffic_samples WHERE start <= ?1").query([
                .integer(Timestamp(seconds: 1_700_000_000 + Int64(last) * 10).nanoseconds)
            ]) { row in rows = row.integer(0) }
            // Every reported batch, each whole (a batch is one transaction).
            #expect(rows == Int64((last + 1) * Self.perBatch), "iteration \(iteration)")
            var later: Int64 = 0
            try store.prepared("SELECT count(*) FROM traffic_samples WHERE start > ?1").query([
                .integer(Timestamp(seconds: 1_700_000_000 + Int64(last) * 10).nanoseconds)
            ]) { row in later = row.integer(0) }
            // At most the one batch that committed after its number was printed, and never part of one.
            #expect(later % Int64(Self.perBatch) == 0 && later <= Int64(Self.perBatch), "iteration \(iteration)")
            try store.close()
            next = last + 1 + Int(later) / Self.perBatch
        }
    }
}
