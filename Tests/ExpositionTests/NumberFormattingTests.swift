import Exposition
import TestSupport
import Testing

@Suite struct NumberFormattingTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (12345, "12345"), (1e15, "1000000000000000"),
        (9_007_199_254_740_991, "9007199254740991"), (-9_007_199_254_740_991, "-9007199254740991"),
        (9_007_199_254_740_992, "9007199254740992"), (1e20, "1e+20"), (1.8446744073709552e19, "1.8446744073709552e+19"),
        (0.5, "0.5"), (0.1, "0.1"), (-3.25, "-3.25"), (1e-7, "1e-07"), (1.0 / 3.0, "0.3333333333333333"),
        (123_456_789.25, "123456789.25"), (1.5e300, "1.5e+300"), (.leastNonzeroMagnitude, "5e-324"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"), (-Double.nan, "NaN"),
    ])
    func format_matchesTable_eachValue(value: Double, expected: String) {
        #expect(NumberFormatting.format(value) == expected)
    }

    @Test func format_roundTrips_randomDoubles() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next())
            let text = NumberFormatting.format(value)
            if value.isNaN {
                #expect(text == "NaN")
                continue
            }
            let parsed = Double(text.replacing("+Inf", with: "inf"))
            #expect(parsed == value || (value == 0 && parsed == 0), "\(value) printed as \(text)")
            #expect(!text.hasSuffix(".0"))
        }
    }
}
