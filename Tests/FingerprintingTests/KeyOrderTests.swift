import LanscopeCore
import Testing

@testable import Fingerprinting

/// Enums hashed and ordered by case rather than by their raw-value names keep the order and
/// equality their names give (signal values sort by signal name; labels and columns are the names).
struct KeyOrderTests {
    @Test func signal_ordersAsItsRawValue_andEachCaseHasItsOwnRank() {
        for a in Signal.allCases {
            for b in Signal.allCases { #expect((a < b) == (a.rawValue < b.rawValue), "\(a) < \(b)") }
        }
        #expect(Set(Signal.allCases.map(\.rank)) == Set(0..<Signal.allCases.count))
        #expect(Set(Signal.allCases).count == Signal.allCases.count)
    }

    @Test func fieldsAndProtocols_areDistinctKeys() {
        #expect(Set(SignatureRule.Field.allCases).count == SignatureRule.Field.allCases.count)
        #expect(Set(DiscoveryProtocol.allCases).count == DiscoveryProtocol.allCases.count)
        var byProtocol: [DiscoveryProtocol: String] = [:]
        for p in DiscoveryProtocol.allCases { byProtocol[p] = p.rawValue }
        #expect(byProtocol.count == DiscoveryProtocol.allCases.count)
        #expect(DiscoveryProtocol.allCases.allSatisfy { byProtocol[$0] == $0.rawValue })
        let values = Signal.allCases.map { SignalValue($0, "x") }
        #expect(values.sorted().map(\.signal.rawValue) == Signal.allCases.map(\.rawValue).sorted())
    }
}
