import Exposition
import TestSupport
import Testing

@Suite struct NegotiationTests {
    @Test(
        arguments: [
            (nil, ExpositionFormat.prometheusText),
            ("", .prometheusText),
            ("*/*", .prometheusText),
            ("text/plain", .prometheusText),
            ("application/openmetrics-text", .openMetrics),
            ("Application/OpenMetrics-Text; Version=1.0.0", .openMetrics),
            ("application/openmetrics-text;version=0.0.1", .openMetrics),
            ("application/openmetrics-text;version=2.0.0", .prometheusText),
            ("application/openmetrics-text;q=0", .prometheusText),
            ("application/openmetrics-text;q=0.000", .prometheusText),
            ("application/openmetrics-text;q=0.001", .openMetrics),
            ("application/openmetrics-text;q=2", .prometheusText),
            ("application/openmetrics-text;q=abc", .prometheusText),
            ("text/plain;q=0.9, application/openmetrics-text;q=0.5", .prometheusText),
            ("text/plain;q=0.5, application/openmetrics-text;q=0.5", .openMetrics),
            (
                "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
                    + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                .openMetrics
            ),
            ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
            ("application/json, */*;q=0.1", .prometheusText),
            (",,;;==,application/openmetrics-text;q=", .prometheusText),
            ("application/openmetrics-text;q=\"0.7\"", .openMetrics),
        ] as [(String?, ExpositionFormat)])
    func negotiate_choosesFormat_acceptHeaderTable(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test func contentType_namesVersionAndCharset_eachFormat() {
        #expect(ExpositionFormat.prometheusText.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }

    @Test(
        arguments: [
            (nil, false), ("", false), ("gzip", true), ("GZIP", true), ("x-gzip", true), ("deflate, gzip;q=1.0", true),
            ("gzip;q=0", false), ("gzip; q=0.0", false), ("gzip;q=0.5", true), ("*", true), ("*;q=0", false),
            ("gzip;q=0, *", false), ("identity", false), ("deflate, br", false), ("br, *;q=0.1", true),
            ("gzipped", false), (" gzip ;q=0.8 ", true), ("gzip;q=bad", false),
        ] as [(String?, Bool)])
    func gzipAccepts_matchesTable_acceptEncodingHeader(header: String?, expected: Bool) {
        #expect(Gzip.accepts(acceptEncoding: header) == expected)
    }

    @Test func negotiationAndGzipAccepts_neverTrap_randomHeaders() {
        var generator = SplitMix64(seed: 5)
        let pieces = [
            "application/openmetrics-text", "text/plain", "gzip", "*", "*/*", ";", ",", "=", "q", "q=", "0", "1",
            ".", "0.5", "1.0001", "\"", " ", "\t", "version=1.0.0", "\u{0}", "\u{FFFD}", "\r\n", ";;q=0.3",
        ]
        var openMetricsChosen = 0
        for _ in 0..<5_000 {
            let header = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            if ExpositionFormat.negotiate(accept: header) == .openMetrics { openMetricsChosen += 1 }
            _ = Gzip.accepts(acceptEncoding: header)
        }
        #expect(openMetricsChosen > 0)
    }
}
