import Foundation
import LanscopeCore
import Testing

@testable import History

@Suite struct HistoryStoreConcurrencyTests {
    @Test func write_keepsEveryBatch_whenCalledFromManyTasksAtOnce() async throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<10 {
                        let n = task * 100 + round
                        try store.write(
                            HistoryBatch(
                                devices: [Fixtures.device(n)], observations: Fixtures.observations(for: n, at: 5),
                                anomalies: [Fixtures.anomaly(at: Int64(n), mac: Fixtures.mac(n))]))
                        _ = try store.devices()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.devices().count == 80)
        #expect(try store.anomalies(since: nil, limit: nil).count == 80)
        #expect(try store.rowCounts()["evidence"] == 240)
    }

    @Test func write_waitsForOtherConnection_whenTwoStoresShareAFile() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lanscope.db")
        let first = try HistoryStore(path: path)
        let second = try HistoryStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (offset, store) in [first, second].enumerated() {
                group.addTask {
                    for round in 0..<20 {
                        try store.write(HistoryBatch(devices: [Fixtures.device(offset * 1000 + round)]))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try first.devices().count == 40)
        #expect(try second.devices().count == 40)
    }

    @Test func devices_throwsInvalidStoredValue_whenRowWasDamaged() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(devices: [Fixtures.device(1)]))
        try store.database.execute("UPDATE addresses SET ip = 'not-an-ip' WHERE version = 4")
        #expect(throws: HistoryError.invalidStoredValue(table: "addresses", column: "ip")) { try store.devices() }
        try store.database.execute("PRAGMA foreign_keys = OFF; UPDATE devices SET mac = 'zz'; PRAGMA foreign_keys = ON")
        #expect(throws: HistoryError.invalidStoredValue(table: "devices", column: "mac")) { try store.devices() }
    }
}
