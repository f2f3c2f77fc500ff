import Foundation
import HTTPServer
import Logging
import TestSupport
import Testing

@testable import LanscopeService

/// Dashboards on a default install: every metric a panel queries is exported by a lanscope started
/// with no options, or comes from a shipped recording rule, or is opt-in — and then the panel's
/// description says what it needs (the recording rule by name, or the flag), so an empty panel explains
/// itself.
@Suite struct DashboardRequirementsTests {
    static let root = TestPaths.repositoryRoot

    @Test func dashboards_everyQueriedMetric_isDefaultOrNamedInTheDescription() throws {
        // A default install's exposition: a replay with the default configuration (no opt-in flag).
        let service = try Service(
            configuration: ServiceConfiguration(source: .file(TestPaths.sampleCapture)), logger: Logger(label: "test"))
        service.runCaptureInline()
        let byDefault = OpsText.exposedNames(String(decoding: get(service, "/metrics").body, as: UTF8.self))
        #expect(byDefault.contains("lanscope_device_info") && byDefault.contains("process_cpu_seconds_total"))
        // The golden exposition is rendered with every opt-in family (--device-traffic-breakdown).
        let golden = OpsText.exposedNames(
            try String(contentsOf: TestPaths.goldenDirectory.appendingPathComponent("metrics.prom"), encoding: .utf8))
        let optIn = golden.subtracting(byDefault)
        #expect(optIn.contains("lanscope_device_traffic_bytes_total"), "the golden file has no opt-in family any more")
        let recording = Set(
            OpsText.recordingRules(
                try String(
                    contentsOf: Self.root.appendingPathComponent("alerting-rules/lanscope.rules.yml"), encoding: .utf8)
            ).keys)
        #expect(!recording.isEmpty)

        var panels = 0
        for dashboard in try OpsDashboard.loadAll(from: Self.root.appendingPathComponent("dashboards")) {
            for query in dashboard.queries {
                panels += 1
                let place = "\(dashboard.file) \"\(query.panel)\""
                for name in OpsText.metricNames(in: query.expr).sorted() {
                    // Counters are declared without their _total suffix; histograms have _bucket/_sum/_count.
                    let family = ["_total", "_bucket", "_sum", "_count"].reduce(name) { n, suffix in
                        n.hasSuffix(suffix) && !byDefault.contains(n) ? String(n.dropLast(suffix.count)) : n
                    }
                    if byDefault.contains(family) || byDefault.contains(name) { continue }
                    if recording.contains(name) {
                        #expect(
                            query.description.contains("recording rule") && query.description.contains(name),
                            "\(place) needs the recording rule \(name): its description must name it")
                    } else if optIn.contains(name) || optIn.contains(family) {
                        #expect(
                            query.description.contains("--device-traffic-breakdown"),
                            "\(place) queries \(name), exported only with --device-traffic-breakdown: say so")
                    } else {
                        Issue.record("\(place) queries \(name), which lanscope does not export")
                    }
                }
            }
        }
        #expect(panels >= 30, "only \(panels) dashboard queries found")
    }
}
