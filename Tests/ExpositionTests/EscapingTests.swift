import Exposition
import TestSupport
import Testing

@Suite struct EscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("a\"b", "a\\\"b"),
        ("a\\b", "a\\\\b"),
        ("a\nb", "a\\nb"),
        ("\\n", "\\\\n"),
        ("\\\"", "\\\\\\\""),
        ("end\\", "end\\\\"),
        ("a}b{c,d=e", "a}b{c,d=e"),
        ("tab\tstays", "tab\tstays"),
        ("cr\rline", "cr\u{FFFD}line"),
        ("crlf\r\n", "crlf\u{FFFD}\\n"),
        ("nul\u{0}stays", "nul\u{0}stays"),
        ("caf\u{E9} \u{1F389}", "caf\u{E9} \u{1F389}"),
    ])
    func escapedLabelValue_matchesTable_eachCase(input: String, expected: String) {
        #expect(Escaping.escapedLabelValue(input) == expected)
    }

    @Test(arguments: [
        ("plain help", "plain help", "plain help"),
        ("a\\b", "a\\\\b", "a\\\\b"),
        ("line\nbreak", "line\\nbreak", "line\\nbreak"),
        ("say \"hi\"", "say \"hi\"", "say \\\"hi\\\""),
        ("cr\r", "cr\u{FFFD}", "cr\u{FFFD}"),
        ("# TYPE x counter", "# TYPE x counter", "# TYPE x counter"),
    ])
    func escapedHelp_matchesTable_perFormat(input: String, text: String, openMetrics: String) {
        #expect(Escaping.escapedHelp(input, format: .prometheusText) == text)
        #expect(Escaping.escapedHelp(input, format: .openMetrics) == openMetrics)
    }

    @Test(arguments: [
        ([0x61, 0xFF, 0x62] as [UInt8], "a\u{FFFD}b"),
        ([0xC3, 0xA9], "\u{E9}"),
        ([0xC3], "\u{FFFD}"),
        ([0xC3, 0x28], "\u{FFFD}("),
        ([0xE2, 0x82], "\u{FFFD}"),
        ([0xE2, 0x82, 0xAC], "\u{20AC}"),
        ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xF0, 0x9F, 0x8E, 0x89], "\u{1F389}"),
        ([0xF0, 0x9F, 0x8E], "\u{FFFD}"),
        ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),
        ([0x0D, 0x0A], "\u{FFFD}\n"),
    ])
    func sanitize_replacesInvalidUTF8AndCR_eachCase(bytes: [UInt8], expected: String) {
        #expect(TextSanitizer.sanitize(bytes) == expected)
    }

    @Test func sanitize_agreesWithStandardLibraryRepair_randomBytes() {
        var generator = SplitMix64(seed: 42)
        // Bias towards bytes that start or continue multi-byte sequences, where repair is subtle.
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F,
            0x90,
        ]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let bytes: [UInt8] = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let expected = String(decoding: bytes, as: UTF8.self).replacing("\r", with: "\u{FFFD}")
            let actual = TextSanitizer.sanitize(bytes)
            #expect(actual == expected, "bytes \(bytes)")
            if actual != expected { break }
        }
    }

    @Test(arguments: [
        ("up", true), ("process_cpu_seconds_total", true), ("a:b:c", true), (":colon", true), ("_x", true),
        ("", false), ("1up", false), ("has-dash", false), ("sp ace", false), ("caf\u{E9}", false), ("dot.ted", false),
    ])
    func isValidMetricName_matchesTable_eachCase(name: String, valid: Bool) {
        #expect(NameValidation.isValidMetricName(name) == valid)
    }

    @Test(arguments: [
        ("mac", true), ("_x", true), ("a1", true), ("A_b", true),
        ("", false), ("__name__", false), ("__x", false), ("a:b", false), ("1a", false), ("a-b", false),
        ("\u{E9}", false),
    ])
    func isValidLabelName_matchesTable_eachCase(name: String, valid: Bool) {
        #expect(NameValidation.isValidLabelName(name) == valid)
    }
}
