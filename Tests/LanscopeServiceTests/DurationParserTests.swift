import LanscopeService
import Testing

/// Durations for `--since`, `?since=` and friends: units, groups, and the overflow boundary.
@Suite struct DurationParserTests {
    @Test func parse_readsUnitsAndGroups() throws {
        #expect(try DurationParser.parse("90s") == .seconds(90))
        #expect(try DurationParser.parse("1h30m") == .seconds(5400))
        #expect(try DurationParser.parse("2500ms") == .milliseconds(2500))
        #expect(try DurationParser.parse("1w") == .seconds(604_800))
    }

    @Test(arguments: ["", "5", "h", "5x", "-5s", "1.5h", "1234567890s", String(repeating: "1s", count: 17)])
    func parse_rejectsMalformedText(_ text: String) {
        #expect(throws: DurationParser.Error.invalid(text)) { try DurationParser.parse(text) }
    }

    @Test func parse_acceptsTheMaximum_andRejectsOneMillisecondMore() throws {
        // 15250w + 172036854ms = Int64.max nanoseconds in whole milliseconds (about 292 years).
        #expect(try DurationParser.parse("15250w172036854ms") == DurationParser.maximum)
        #expect(throws: DurationParser.Error.tooLong("15250w172036855ms")) {
            try DurationParser.parse("15250w172036855ms")
        }
        #expect(try DurationParser.parse("15250w1d") < DurationParser.maximum)
        #expect(throws: DurationParser.Error.tooLong("15250w2d")) { try DurationParser.parse("15250w2d") }
    }

    @Test(arguments: ["15251w", "20000w", "40000w", "999999999w", "999999999w999999999w999999999w"])
    func parse_rejectsDurationsThatWouldWrap(_ text: String) {
        #expect(throws: DurationParser.Error.tooLong(text)) { try DurationParser.parse(text) }
    }

    @Test func tooLong_saysWhatTheLimitIs() {
        #expect(DurationParser.Error.tooLong("20000w").description.contains("at most 15250w"))
    }
}
