import LanscopeCore
import Testing

struct DiscoveryProtocolTests {
    @Test func ordinal_isTheCasePositionInAllCases() {
        for (position, discovery) in DiscoveryProtocol.allCases.enumerated() {
            #expect(discovery.ordinal == position, "\(discovery)")
        }
    }
}
