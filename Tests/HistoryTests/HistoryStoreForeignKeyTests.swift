import LanscopeCore
import Testing

@testable import History

/// Batch writes run with SQLite's foreign-key enforcement off (`Database.transaction(checkingForeignKeys:)`):
/// the writer puts every parent row in place itself. Every kind of row a batch can carry, about devices
/// the batch names and about devices it does not, must still leave no row without its parent, and the
/// connection must enforce foreign keys again afterwards (retention's deletes rely on the cascades).
@Suite struct HistoryStoreForeignKeyTests {
    /// Rows about devices the batch's device rows leave out: evidence, identity changes, samples and
    /// presence spans, traffic under a capture.
    static func strayRows(_ n: Int) -> HistoryBatch {
        let mac = Fixtures.mac(n)
        return HistoryBatch(
            observations: Fixtures.observations(for: n, at: 5),
            changes: [.identityChanged(mac, field: .type, from: nil, to: "printer", time: Fixtures.time(6))],
            capture: Fixtures.capture("stray-\(n)"), traffic: [mac: Fixtures.counters(txPackets: 3, txBytes: 300)],
            samples: [
                TrafficSample(
                    mac: Fixtures.mac(n + 1), start: Fixtures.time(0), seconds: 10, transmittedBytes: 100,
                    transmittedPackets: 1)
            ],
            presence: [PresenceSpan(mac: Fixtures.mac(n + 2), start: Fixtures.time(0), end: Fixtures.time(60))],
            factTimes: [
                HistoryBatch.FactTimes(
                    mac: Fixtures.mac(n + 3), fact: .dnsQuery("x.example"), times: [Fixtures.time(7)])
            ])
    }

    @Test func writes_leaveNoRowWithoutItsParent_andEnforceForeignKeysAfterwards() throws {
        for cap in [16_384, 4] {
            let dir = try TemporaryDirectory()
            let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: cap))
            #expect(try store.enforcesForeignKeys)
            try store.write(Fixtures.fullBatch(devices: 3))
            try store.write(Self.strayRows(20))
            try store.write(Self.strayRows(40))
            // The same capture again: its traffic classes are replaced, not added.
            try store.write(
                HistoryBatch(
                    capture: Fixtures.capture("stray-20"),
                    traffic: [Fixtures.mac(20): Fixtures.counters(txPackets: 4, txBytes: 400)]))
            #expect(try store.foreignKeyViolations() == 0, "cap \(cap)")
            #expect(try store.enforcesForeignKeys)
            #expect(try store.integrityCheck() == "ok")
            let devices = try store.devices().count
            #expect(cap == 4 ? devices == 4 : devices > 10, "cap \(cap): \(devices) devices")
        }
    }

    /// The check itself finds an orphan (so the test above could fail).
    @Test func foreignKeyViolations_countsAnOrphanRow() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(Fixtures.fullBatch(devices: 1))
        #expect(try store.foreignKeyViolations() == 0)
        try store.locked { () throws(HistoryError) in
            do throws(SQLiteError) {
                try store.database.execute("PRAGMA foreign_keys = OFF")
                try store.database.execute(
                    "INSERT INTO protocols (mac, protocol) VALUES ('02:00:00:00:00:99', 'arp')")
                try store.database.execute("PRAGMA foreign_keys = ON")
            } catch {
                throw .sqlite(error)
            }
        }
        #expect(try store.foreignKeyViolations() == 1)
    }

    /// A transaction that fails (here: its body throws) still leaves enforcement on.
    @Test func transaction_withoutChecks_turnsEnforcementBackOn_whenItFails() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let failed =
            (try? store.locked { () throws(HistoryError) in
                try store.database.transaction(checkingForeignKeys: false) { () throws(HistoryError) in
                    #expect(try store.database.scalarInteger("PRAGMA foreign_keys") == 0)
                    throw HistoryError.closed(path: "test")
                }
            }) == nil
        #expect(failed)
        #expect(try store.enforcesForeignKeys)
    }
}
