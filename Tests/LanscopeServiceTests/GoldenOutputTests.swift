import Foundation
import HTTPServer
import Testing

@testable import LanscopeService

/// `/metrics` (both formats) and `/devices.json` from the bundled sample capture, byte for byte.
@Suite struct GoldenOutputTests {
    @Test func metrics_textFormat_matchesGolden() throws {
        // Golden with every optional family on, so it documents the whole exposition.
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, deviceTrafficBreakdown: true)
        let response = get(service, "/metrics")
        #expect(response.status == .ok)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        if let problem = assertGolden(response.body, "metrics.prom") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func metrics_openMetrics_matchesGolden() throws {
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, deviceTrafficBreakdown: true)
        let response = get(service, "/metrics", headers: [("Accept", "application/openmetrics-text; version=1.0.0")])
        #expect(response.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(String(decoding: response.body, as: UTF8.self).hasSuffix("# EOF\n"))
        if let problem = assertGolden(response.body, "metrics.om") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func devicesJSON_matchesGolden() throws {
        let service = try makeReplayedService(capture: TestPaths.sampleCapture)
        let response = get(service, "/devices.json")
        #expect(response.status == .ok)
        if let problem = assertGolden(response.body, "devices.json") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func metrics_perDeviceBreakdown_isOffByDefault_lanWideSplitIsOn() throws {
        let text = String(
            decoding: get(try makeReplayedService(capture: TestPaths.sampleCapture), "/metrics").body, as: UTF8.self)
        #expect(!text.contains("lanscope_device_traffic_bytes_total{"))
        // Sum over devices of transmitted TCP/IPv4 bytes; every TCP frame in the sample is IPv4.
        #expect(
            text.contains(
                "lanscope_traffic_bytes_total{direction=\"transmitted\",ip_version=\"ipv4\",protocol=\"tcp\"}"))
        let detailed = String(
            decoding: get(
                try makeReplayedService(capture: TestPaths.sampleCapture, deviceTrafficBreakdown: true), "/metrics"
            ).body,
            as: UTF8.self)
        #expect(
            detailed.contains(
                "lanscope_device_traffic_bytes_total{mac=\"3c:22:fb:aa:bb:01\",direction=\"transmitted\",ip_version=\"ipv4\",protocol=\"tcp\"}"
            ))
    }

    @Test func metrics_gzip_whenAccepted() throws {
        let service = try makeReplayedService(capture: TestPaths.sampleCapture)
        let plain = get(service, "/metrics").body
        let compressed = get(service, "/metrics", headers: [("Accept-Encoding", "gzip, deflate")])
        #expect(compressed.headers["content-encoding"] == "gzip")
        let tmp = TestPaths.temporaryDirectory().appendingPathComponent("m.gz")
        try Data(compressed.body).write(to: tmp)
        let (status, out, _) = try run("/bin/gzip", ["-dc", tmp.path])
        #expect(status == 0)
        // Each scrape counts itself in lanscope_http_scrape_renders_total: compare everything else.
        func withoutRenderCount(_ text: String) -> [Substring] {
            text.split(separator: "\n").filter { !$0.hasPrefix("lanscope_http_scrape_renders_total ") }
        }
        #expect(withoutRenderCount(out) == withoutRenderCount(String(decoding: plain, as: UTF8.self)))
        #expect(out.contains("lanscope_http_scrape_renders_total "))
    }
}
