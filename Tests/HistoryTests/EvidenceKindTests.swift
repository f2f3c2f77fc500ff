import Testing

@testable import History

/// Evidence kinds hash by case (not by their column names): every kind is its own key.
struct EvidenceKindTests {
    @Test func everyKind_isItsOwnKey() {
        #expect(Set(EvidenceKind.allCases).count == EvidenceKind.allCases.count)
        var byKind: [EvidenceKind: String] = [:]
        for kind in EvidenceKind.allCases { byKind[kind] = kind.rawValue }
        #expect(EvidenceKind.allCases.allSatisfy { byKind[$0] == $0.rawValue })
    }
}
