import Testing

@testable import LanscopeService

/// `ExportCap.kept` picks what sorting every device by last-seen picked (most recent first, ties to the
/// lower MAC, the cap's prefix, back in MAC order), both when it picks the few left out in linear passes
/// and when the excess is large enough to sort.
@Suite struct ExportCapSelectionTests {
    /// The selection as it was made before: sort all, keep the prefix, sort the kept by MAC.
    static func reference(_ order: [Int], limit: Int, seen: [Int64], macs: [UInt64]) -> [Int] {
        let recent = order.sorted { (seen[$0], macs[$1]) > (seen[$1], macs[$0]) }.prefix(limit)
        return recent.sorted { macs[$0] < macs[$1] }
    }

    @Test(arguments: [0, 1, 2, 5, ExportCap.linearExcess, ExportCap.linearExcess + 1, 40, 199])
    func kept_matchesFullSort_forExcess(_ excess: Int) {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let count = 200 + round
            // Storage order is not MAC order; last-seen times collide often (ties are broken by MAC).
            let macs = (0..<count).map { _ in UInt64.random(in: 0..<(1 << 48), using: &generator) }
            let seen = (0..<count).map { _ in Int64.random(in: 0..<20, using: &generator) }
            let order = macs.indices.sorted { macs[$0] < macs[$1] }
            let limit = count - excess
            let kept = ExportCap.kept(order, limit: limit, lastSeen: { seen[$0] }, mac: { macs[$0] })
            #expect(kept == Self.reference(order, limit: limit, seen: seen, macs: macs))
            #expect(kept.count == limit)
        }
    }

    @Test func kept_returnsEveryIndex_whenWithinTheCap() {
        let order = [2, 0, 1]
        #expect(ExportCap.kept(order, limit: 3, lastSeen: { Int64($0) }, mac: { UInt64($0) }) == order)
        #expect(ExportCap.kept(order, limit: 10, lastSeen: { Int64($0) }, mac: { UInt64($0) }) == order)
    }
}
