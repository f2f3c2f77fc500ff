import Exposition
import Foundation
import Testing

@testable import LanscopeService

/// Each collector's families on their own, from the bundled sample capture, byte for byte: a change to
/// one concern shows up in its own golden file.
@Suite struct CollectorGoldenTests {
    @Test func everyCollector_matchesItsGolden() throws {
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, deviceTrafficBreakdown: true)
        let collector = service.routes.collector
        let scrape = collector.scrapeContext()
        var names: [String] = []
        for c in collector.collectors {
            names.append(c.name)
            let bytes = ExpositionEncoder.encode(c.collect(scrape), format: .prometheusText)
            #expect(!bytes.isEmpty, "collector \(c.name) produced nothing")
            if let problem = assertGolden(bytes, "collectors/\(c.name).prom") {
                Issue.record(Comment(rawValue: problem))
            }
        }
        #expect(names == ["devices", "inventory", "pipeline", "capture", "store", "http", "process"])
    }

    @Test func wholeScrape_isTheCollectorsInOrder_plusTheirDurations() throws {
        let service = try makeReplayedService(capture: TestPaths.sampleCapture)
        let families = service.routes.collector.collect()
        let durations = try #require(families.last)
        #expect(durations.name == "lanscope_scrape_collector_duration_seconds")
        #expect(durations.samples.count == service.routes.collector.collectors.count)
    }
}
