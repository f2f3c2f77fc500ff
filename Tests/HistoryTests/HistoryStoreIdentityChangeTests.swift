import LanscopeCore
import Testing

@testable import History

/// Identity changes are stored once per (MAC, time, field, new value), only for devices with a row:
/// a device whose row the same batch writes (inserted without looking it up), one stored by an
/// earlier batch (looked up), and none for a device never stored.
@Suite struct HistoryStoreIdentityChangeTests {
    static func change(_ n: Int, _ field: IdentityField, from: String?, to: String, at seconds: Int64)
        -> InventoryChange
    {
        .identityChanged(Fixtures.mac(n), field: field, from: from, to: to, time: Fixtures.time(seconds))
    }

    static func stored(_ store: HistoryStore, _ n: Int) throws -> [String] {
        try store.identityChanges(for: Fixtures.mac(n)).map { change in
            guard case .identityChanged(_, let field, let from, let to, let time) = change else { return "?" }
            return "\(field.rawValue) \(from ?? "-") \(to) \(time)"
        }
    }

    @Test func write_changes_storedForBatchAndStoredDevices_skippedForUnknownOnes() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(HistoryBatch(devices: [Fixtures.device(2)]))
        try store.write(
            HistoryBatch(
                devices: [Fixtures.device(1)],
                changes: [
                    Self.change(1, .hostname, from: "old", to: "new", at: 10),
                    // Same key (MAC, time, field, new value): the first one stays.
                    Self.change(1, .hostname, from: "other", to: "new", at: 10),
                    Self.change(1, .type, from: nil, to: "printer", at: 11),
                    Self.change(2, .os, from: "Linux", to: "Android", at: 12),
                    Self.change(3, .hostname, from: nil, to: "ghost", at: 13),
                ]))
        #expect(
            try Self.stored(store, 1) == [
                "type - printer \(Fixtures.time(11))", "hostname old new \(Fixtures.time(10))",
            ])
        #expect(try Self.stored(store, 2) == ["os Linux Android \(Fixtures.time(12))"])
        #expect(try Self.stored(store, 3).isEmpty)
        #expect(try store.device(Fixtures.mac(3)) == nil)
    }

    @Test func write_changes_ofARefusedDevice_areNotStored() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"), configuration: .init(maxDevices: 1))
        try store.write(
            HistoryBatch(
                devices: [Fixtures.device(1), Fixtures.device(2)],
                changes: [
                    Self.change(1, .hostname, from: nil, to: "one", at: 10),
                    Self.change(2, .hostname, from: nil, to: "two", at: 10),
                ]))
        #expect(try Self.stored(store, 1).count == 1)
        #expect(try Self.stored(store, 2).isEmpty)
        #expect(store.devicesRejected == 1)
    }
}
