import Foundation
import Glibc
import History
import Inventory
import LanscopeCore
import TestSupport
import Testing

@testable import LanscopeService

/// The history file across the service's life: read-only commands, a newer schema, a clean stop.
@Suite(.serialized) struct HistoryLifecycleTests {
    let lanscope = TestPaths.executable

    private func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    private func replayedDatabase() throws -> (directory: URL, path: String) {
        let directory = TestPaths.temporaryDirectory()
        let path = directory.appendingPathComponent("lanscope.db").path
        let (status, _, err) = try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", path])
        try #require(status == 0, "\(err)")
        return (directory, path)
    }

    @Test func storeCap_equalsInventoryCap_byDefault() {
        #expect(HistoryStore.Configuration().maxDevices == DeviceRegistry.Configuration().maxDevices)
    }

    @Test func readCommands_work_whenDatabaseIsOnReadOnlyMount() throws {
        let (directory, db) = try replayedDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(!exists(db + "-wal"), "replay should leave one self-contained file")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let guarded = ReadOnlyDirectory(directory.path)
        if let reason = guarded.skipReason {
            print(reason)
            return
        }
        let (ls, table, lsErr) = try run(lanscope, ["list", "--db", db])
        #expect(ls == 0, "\(lsErr)")
        #expect(table.contains("alices-macbook"))
        let (ds, detail, dsErr) = try run(lanscope, ["device", "b8:27:eb:01:02:03", "--json", "--db", db])
        #expect(ds == 0, "\(dsErr)")
        #expect(detail.contains("raspberrypi"))
        let (al, _, alErr) = try run(lanscope, ["alerts", "--db", db])
        #expect(al == 0, "\(alErr)")
        let (ex, csv, exErr) = try run(lanscope, ["export", "--format", "csv", "--db", db])
        #expect(ex == 0, "\(exErr)")
        #expect(csv.split(whereSeparator: \.isNewline).count == 8)  // header + 7 devices (CRLF, RFC 4180)
        withExtendedLifetime(guarded) {}
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!exists(db + "-wal") && !exists(db + "-shm"))
    }

    @Test func readCommands_refuseNewerSchema_withClearMessage_andLeaveFileAlone() throws {
        let (directory, db) = try replayedDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let newer = HistoryStore.latestSchemaVersion + 1
        let (py, _, pyErr) = try run(
            "/usr/bin/python3",
            [
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('pragma user_version=\(newer)'); c.commit(); c.close()",
                db,
            ])
        try #require(py == 0, "\(pyErr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for arguments in [
            ["list"], ["alerts"], ["export", "--format", "json"], ["device", "b8:27:eb:01:02:03"],
            ["replay", TestPaths.sampleCapture],
        ] {
            let (status, _, err) = try run(lanscope, arguments + ["--db", db])
            #expect(status != 0, "\(arguments)")
            #expect(err.contains("schema version \(newer), newer than this lanscope supports"), "\(arguments): \(err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!exists(db + "-wal") && !exists(db + "-shm"))
    }

    @Test func stop_closesDatabase_leavingNoWALOrSHM() throws {
        let directory = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("lanscope.db").path
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, database: db)
        service.flushHistory()
        #expect(exists(db + "-wal"), "a running service keeps its write-ahead log")
        service.stop()
        #expect(!exists(db + "-wal"))
        #expect(!exists(db + "-shm"))
        withExtendedLifetime(service) {}
        // Everything is in the one file: a read-only open (no -wal to read) sees the devices.
        let store = try HistoryStore(path: db, configuration: .init(readOnly: true))
        #expect(try store.devices().count == 7)
    }

    @Test func deviceDetail_saysHowMuchItLeftOut_whenStoreHoldsMore() throws {
        let (directory, db) = try replayedDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let view = try Commands.openForReading(db)
        let mac = try #require(MACAddress("b8:27:eb:01:02:03"))
        var detail = try #require(try view.deviceDetail(mac))
        #expect(detail.evidenceStored == detail.evidence.count)
        #expect(detail.addressesStored == detail.device.addresses.count)
        let json = String(decoding: detail.json(presence: view.presence), as: UTF8.self)
        #expect(json.contains("\"evidence_stored\": \(detail.evidence.count)"))
        #expect(!detail.text(presence: view.presence).contains("not shown"))

        detail.evidenceStored = detail.evidence.count + 600
        detail.addressesStored = detail.device.addresses.count + 7
        let text = detail.text(presence: view.presence)
        #expect(text.contains("(600 more evidence rows not shown)"))
        #expect(text.contains("(7 older addresses not shown)"))
    }

}
