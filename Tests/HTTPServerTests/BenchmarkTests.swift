import Foundation
import HTTPServer
import Testing

/// Opt-in throughput run (`LANSCOPE_HTTP_BENCH=1`): `wrk -c 64 -t 2 -d 5s` against a trivial route served
/// in-process. Prints the figures; timing is never asserted. Best built with `-c release`.
@Suite struct BenchmarkTests {
    static var enabled: Bool { ProcessInfo.processInfo.environment["LANSCOPE_HTTP_BENCH"] == "1" }

    @Test(.enabled(if: BenchmarkTests.enabled)) func server_reportsThroughput_underWrk() throws {
        let router = HTTPRouter()
        router.get("/-/healthy") { _, _ in .text("OK\n") }
        let workers = ProcessInfo.processInfo.environment["LANSCOPE_HTTP_BENCH_WORKERS"].flatMap { Int($0) } ?? 2
        let test = try TestServer.start(router: router, workers: workers)
        defer { test.stop() }
        let wrk = Process()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        let duration = ProcessInfo.processInfo.environment["LANSCOPE_HTTP_BENCH_DURATION"] ?? "5s"
        wrk.arguments = ["-c", "64", "-t", "2", "-d", duration, "http://127.0.0.1:\(test.port)/-/healthy"]
        let pipe = Pipe()
        wrk.standardOutput = pipe
        try wrk.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        wrk.waitUntilExit()
        print(output)
        #expect(wrk.terminationStatus == 0)
        let requestsLine = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
        #expect(requestsLine != nil, "wrk printed no Requests/sec line")
        #expect(!output.contains("Non-2xx"), "the trivial route answered with errors")
        if let requestsLine { print("lanscope HTTPServer \(requestsLine)") }
    }
}
