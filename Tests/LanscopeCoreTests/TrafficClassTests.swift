import LanscopeCore
import Testing

struct TrafficClassTests {
    static let all: [TrafficClass] = TrafficDirection.allCases.flatMap { d in
        IPFamily.allCases.flatMap { f in L4Protocol.allCases.map { TrafficClass(direction: d, family: f, l4: $0) } }
    }

    @Test func lessThan_ordersByLabelText_forEveryPair() {
        #expect(Self.all.count == 24)
        for a in Self.all {
            for b in Self.all {
                let byText =
                    (a.direction.rawValue, a.family.rawValue, a.l4.rawValue) < (
                        b.direction.rawValue, b.family.rawValue, b.l4.rawValue
                    )
                #expect((a < b) == byText, "\(a) < \(b)")
            }
        }
    }

    @Test func hash_distinguishesEveryClass_andAgreesWithEquality() {
        #expect(Set(Self.all).count == 24)
        for c in Self.all {
            let copy = TrafficClass(direction: c.direction, family: c.family, l4: c.l4)
            #expect(copy == c)
            #expect(copy.hashValue == c.hashValue)
        }
        #expect(Set(Self.all.map(\.hashValue)).count == 24)
    }
}
