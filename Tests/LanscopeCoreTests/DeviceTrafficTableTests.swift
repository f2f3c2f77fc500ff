import LanscopeCore
import Testing

struct DeviceTrafficTableTests {
    static let width = DeviceTrafficTable.cellsPerDevice
    static let tcp4Out = TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp)
    static let udp6In = TrafficClass(direction: .received, family: .ipv6, l4: .udp)

    /// Rows in the order a backend filled them (not MAC order), each with distinct counts.
    static func table(_ macs: [UInt64]) -> DeviceTrafficTable {
        var cells = [PacketByteCount](repeating: PacketByteCount(), count: macs.count * width)
        for row in macs.indices {
            let n = UInt64(row + 1)
            cells[row * width + tcp4Out.ordinal] = PacketByteCount(packets: n, bytes: 100 * n)
            cells[row * width + udp6In.ordinal] = PacketByteCount(packets: 10 * n, bytes: 1000 * n)
        }
        return DeviceTrafficTable(
            macs: macs.map(MACAddress.init(rawValue:)),
            lastSeen: macs.indices.map { Timestamp(seconds: 1000 + Int64($0)) }, cells: cells)
    }

    @Test func rowsByMAC_ordersRowsFilledInAnyOrder() {
        let t = Self.table([0x50, 0x10, 0x30, 0x20])
        #expect(t.rowsByMAC == [1, 3, 2, 0])
        #expect(t.count == 4)
        #expect(DeviceTrafficTable().isEmpty)
    }

    @Test func rowOf_findsEveryMAC_andNothingElse() {
        let macs: [UInt64] = [0x50, 0x10, 0x30, 0x20, 0xff_ffff_ffff]
        let t = Self.table(macs)
        for (row, mac) in macs.enumerated() { #expect(t.row(of: MACAddress(rawValue: mac)) == row) }
        for absent: UInt64 in [0x00, 0x11, 0x40, 0x51, 0xff_ffff_fffe] {
            #expect(t.row(of: MACAddress(rawValue: absent)) == nil)
        }
        #expect(DeviceTrafficTable().row(of: MACAddress(rawValue: 0x10)) == nil)
    }

    @Test func counters_sumEachDirection_andKeepOnlyNonZeroClasses() {
        let t = Self.table([0x50, 0x10])
        let c = t.counters(at: 1)
        #expect(c.transmittedPackets == 2)
        #expect(c.transmittedBytes == 200)
        #expect(c.receivedPackets == 20)
        #expect(c.receivedBytes == 2000)
        #expect(
            c.byClass == [
                Self.tcp4Out: PacketByteCount(packets: 2, bytes: 200),
                Self.udp6In: PacketByteCount(packets: 20, bytes: 2000),
            ])
        #expect(t.lastSeen[1] == Timestamp(seconds: 1001))
        var totals = c
        totals.byClass = [:]
        #expect(t.totals(at: 1) == totals)
    }

    @Test func cursor_joinsAscendingMACs_skippingAbsentOnesOnBothSides() {
        let t = Self.table([0x50, 0x10, 0x30, 0x20])
        var cursor = t.cursor
        // Asked in ascending order, including MACs the table lacks and a run past its end.
        let asked: [UInt64] = [0x05, 0x10, 0x15, 0x30, 0x50, 0x60]
        let rows = asked.map { cursor.seek(MACAddress(rawValue: $0)) }
        #expect(rows == [nil, 1, nil, 2, 0, nil])
    }
}
