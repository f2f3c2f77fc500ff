import LanscopeCore
import Testing

/// The option lists' texts (stored, shown, matched by signatures) are the decimal values joined by commas.
struct FingerprintTextTests {
    @Test func parameterRequestListText_isTheDecimalValuesJoinedByCommas() {
        var generator = SystemRandomNumberGenerator()
        let lists: [[UInt8]] =
            [[], [0], [1, 3, 6, 15, 119, 252], [255, 0, 10, 100, 99, 9]]
            + (0..<200).map { _ in
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator)
                }
            }
        for list in lists {
            let fingerprint = DHCPClientFingerprint(messageType: 1, parameterRequestList: list)
            #expect(fingerprint.parameterRequestListText == list.map(String.init).joined(separator: ","))
        }
        #expect(
            DHCPClientFingerprint(messageType: 1, parameterRequestList: [1, 3, 6, 15, 119, 252])
                .parameterRequestListText
                == "1,3,6,15,119,252")
    }

    @Test func optionRequestText_isTheDecimalValuesJoinedByCommas() {
        var generator = SystemRandomNumberGenerator()
        let lists: [[UInt16]] =
            [[], [0], [23, 24, 39, 82], [65535, 1, 10000, 999, 1000]]
            + (0..<200).map { _ in
                (0..<Int.random(in: 0...20, using: &generator)).map { _ in
                    UInt16.random(in: 0...65535, using: &generator)
                }
            }
        for list in lists {
            let fingerprint = DHCPv6ClientFingerprint(messageType: 1, optionRequest: list)
            #expect(fingerprint.optionRequestText == list.map(String.init).joined(separator: ","))
        }
        #expect(
            DHCPv6ClientFingerprint(messageType: 1, optionRequest: [23, 24, 39, 82]).optionRequestText == "23,24,39,82")
    }
}
