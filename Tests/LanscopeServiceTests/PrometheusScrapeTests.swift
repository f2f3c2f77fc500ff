import Foundation
import Testing

@testable import LanscopeService

/// A real Prometheus (Debian's `prometheus`, on loopback with a temporary config and data dir) scrapes
/// a running lanscope; its HTTP API must then return the device series with the replayed values.
@Suite(.serialized) struct PrometheusScrapeTests {
    @Test func realPrometheus_scrapesDeviceSeries() throws {
        guard let prometheus = RealPrometheus.binary else {
            Issue.record("prometheus missing: apt-get install prometheus (make deps)")
            return
        }
        let service = try makeReplayedService(capture: TestPaths.sampleCapture)
        let port = try #require(try service.startServerOnly().first)
        defer { service.stop() }

        let dir = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: lanscope
                static_configs:
                  - targets: ['127.0.0.1:\(port)']
                    labels:
                      sensor: test
            """
        let real = try RealPrometheus(binary: prometheus, config: config, directory: dir.path)
        defer { real.stop() }

        func query(_ promql: String) -> [[String: Any]]? {
            // Encode everything but unreserved characters: URLComponents leaves "+" alone, which
            // Prometheus would read as a space.
            let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
            return (real.api("/api/v1/query?query=\(encoded)")?["data"] as? [String: Any])?["result"]
                as? [[String: Any]]
        }
        func value(_ sample: [String: Any]) -> String? { (sample["value"] as? [Any])?.last as? String }

        // Bounded wait: Prometheus starts, scrapes every second.
        var up: [[String: Any]]? = nil
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            up = query("up{job=\"lanscope\"}")
            if let up, let first = up.first, value(first) == "1" { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(up.flatMap { $0.first }.flatMap(value) == "1", "Prometheus never saw the target up")

        let laptop = query("lanscope_device_transmitted_packets_total{mac=\"3c:22:fb:aa:bb:01\"}")
        #expect(laptop?.count == 1)
        #expect(laptop?.first.flatMap(value) == "17")
        let joined = query(
            "lanscope_device_transmitted_bytes_total * on(mac) group_left(hostname) lanscope_device_info{hostname=\"raspberrypi\"}"
        )
        #expect(joined?.count == 1)
        // tshark -r deploy/samples/lan.pcap -Y eth.src==b8:27:eb:01:02:03 -T fields -e frame.len | sum → 1957
        #expect(joined?.first.flatMap(value) == "1957")
        let info = query("count(lanscope_device_info)")
        #expect(info?.first.flatMap(value) == "7")
    }
}

func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A blocking GET through curl (no URLSession dependency on FoundationNetworking).
func syncGET(_ url: URL) throws -> (Data, Int32) {
    let (status, out, _) = try run("/usr/bin/curl", ["-s", "--max-time", "5", url.absoluteString], timeout: 10)
    return (Data(out.utf8), status)
}
