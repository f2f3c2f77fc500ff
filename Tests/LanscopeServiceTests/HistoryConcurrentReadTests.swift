import Foundation
import Glibc
import Testing

@testable import LanscopeService

/// `lanscope list` and `lanscope device` read the database while another process keeps writing it
/// (WAL: readers see the last committed batch and never block the writer).
@Suite(.serialized) struct HistoryConcurrentReadTests {
    static let helper = TestPaths.repositoryRoot.appendingPathComponent(".build/debug/HistoryWriteLoop").path

    @Test func readCommands_succeed_whileAnotherProcessWrites() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.helper),
            "missing \(Self.helper): build it with swift build --build-tests")
        let directory = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("lanscope.db").path
        // A first batch so the schema exists before the readers start.
        let (first, _, firstErr) = try run(Self.helper, [db, "0", "1"])
        try #require(first == 0, "\(firstErr)")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: Self.helper)
        writer.arguments = [db, "1"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        defer {
            if writer.isRunning { kill(writer.processIdentifier, SIGKILL) }
            writer.waitUntilExit()
        }
        for round in 0..<10 {
            let (ls, table, lsErr) = try run(TestPaths.executable, ["list", "--db", db])
            #expect(ls == 0, "round \(round): \(lsErr)")
            #expect(table.contains("02:00:00:00:00:00"), "round \(round)")
            let (ds, detail, dsErr) = try run(
                TestPaths.executable, ["device", "02:00:00:00:00:07", "--json", "--db", db])
            #expect(ds == 0, "round \(round): \(dsErr)")
            #expect(detail.contains("traffic_per_day"), "round \(round)")
        }
        #expect(writer.isRunning, "the writer kept going while the readers read")
    }
}
