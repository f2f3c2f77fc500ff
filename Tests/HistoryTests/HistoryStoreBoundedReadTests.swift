import LanscopeCore
import Testing

@testable import History

/// A device flooded with evidence is read back at the cost of what is shown.
@Suite struct HistoryStoreBoundedReadTests {
    /// One device with 200,000 stored addresses (and as many address evidence rows) and 100,000
    /// hostname evidence rows, inserted in SQL directly (the write path would take minutes in a debug
    /// build; what is measured here is the read).
    private func floodedStore(_ dir: TemporaryDirectory) throws -> (HistoryStore, MACAddress) {
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(7)
        try store.write(HistoryBatch(devices: [Fixtures.device(7, hostname: nil)]))
        let m = "'\(mac.description)'"
        try store.database.execute(
            """
            BEGIN;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199999)
            INSERT OR IGNORE INTO addresses (mac, ip, version, source, first_seen, last_seen)
                SELECT \(m), '10.' || (i >> 16) || '.' || ((i >> 8) & 255) || '.' || (i & 255), 4, 'arp', i, i FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199999)
            INSERT INTO evidence (mac, kind, source, value, first_seen, last_seen, count)
                SELECT \(m), 'address', 'arp', printf('10.%d.%d.%d', i >> 16, (i >> 8) & 255, i & 255), i, i, 1 FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
            INSERT INTO evidence (mac, kind, source, value, first_seen, last_seen, count)
                SELECT \(m), 'hostname', 'dhcp', printf('host-%06d', i), i, i, 1 FROM n;
            COMMIT;
            """)
        return (store, mac)
    }

    @Test func evidence_readsDefaultLimitOnly_whenDeviceHas300000Rows() throws {
        let dir = try TemporaryDirectory()
        let (store, mac) = try floodedStore(dir)
        let clock = ContinuousClock()
        var limited: [EvidenceRecord] = []
        let limitedTime = try clock.measure { limited = try store.evidence(for: mac) }
        var page = EvidencePage(records: [], totals: [:])
        let pageTime = try clock.measure { page = try store.evidencePage(for: mac, limit: 500) }
        var all: [EvidenceRecord] = []
        let allTime = try clock.measure { all = try store.evidence(for: mac, limit: nil) }
        print(
            "history: flooded device evidence: 500 rows \(limitedTime), 500 rows + totals \(pageTime), all \(all.count) rows \(allTime)"
        )

        #expect(limited.count == HistoryStore.defaultEvidenceLimit)
        #expect(limited == Array(all.prefix(500)))
        #expect(page.records == limited)
        #expect(page.totals == [.address: 200_000, .hostname: 100_000])
        #expect(page.total == 300_000)
        #expect(page.omitted == 299_500)
        #expect(all.count == 300_000)
        // Sorted by kind, source, value: the limit is taken from the front of that order.
        #expect(limited.first?.value == "10.0.0.0")
        #expect(limited.allSatisfy { $0.kind == .address })
    }

    @Test func deviceDetail_readsLimitedAddressesAndEvidence_withStoredTotals() throws {
        let dir = try TemporaryDirectory()
        let (store, mac) = try floodedStore(dir)
        let clock = ContinuousClock()
        var detail: StoredDeviceDetail?
        let time = try clock.measure { detail = try store.deviceDetail(mac, addressLimit: 32, evidenceLimit: 100) }
        print("history: flooded device detail (32 addresses, 100 evidence rows) read in \(time)")
        let read = try #require(detail)
        // The fixture's own two addresses plus the 200,000 inserted (10.0.0.7 is both).
        #expect(read.addressesStored == 200_001)
        #expect(read.device.addresses.count == 32)
        // Most recently seen first: the fixture device's addresses (last seen at t0 + 60 s) lead.
        #expect(read.device.addresses.values.allSatisfy { $0.lastSeen >= Timestamp(nanoseconds: 199_970) })
        #expect(read.evidence.records.count == 100)
        #expect(read.evidence.total == 300_000)
        #expect(try store.deviceDetail(Fixtures.mac(8)) == nil)
    }

    @Test func evidencePage_reportsNothingOmitted_whenAllRowsFit() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        try store.write(Fixtures.fullBatch())
        let page = try store.evidencePage(for: Fixtures.mac(1), limit: 500)
        #expect(page.records.count == 3)
        #expect(page.total == 3)
        #expect(page.omitted == 0)
        #expect(page.totals == [.address: 1, .hostname: 1, .dhcpClient: 1])
    }
}
