import Foundation
import HTTPServer
import Testing

/// Opt-in throughput run (`LANSCOPE_HTTP_BENCH=1`): `wrk -c 64 -t 2 -d 5s` against a trivial route served
/// in-process. Prints the figures; timing is never asserted. Best built with `-c release`.
@Suite(.serialized) struct BenchmarkTests {
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

    /// Four times more wrk connections than the cap: the extra ones get 503, and the server keeps serving.
    @Test(.enabled(if: BenchmarkTests.enabled)) func server_keepsServing_whenLoadExceedsConnectionCap() throws {
        let router = HTTPRouter()
        router.get("/-/healthy") { _, _ in .text("OK\n") }
        let test = try TestServer.start(limits: HTTPServer.Limits(maxConnections: 32), router: router)
        defer { test.stop() }
        let wrk = Process()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        wrk.arguments = ["-c", "128", "-t", "2", "-d", "3s", "http://127.0.0.1:\(test.port)/-/healthy"]
        let pipe = Pipe()
        wrk.standardOutput = pipe
        try wrk.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        wrk.waitUntilExit()
        print(output)
        let rejected = test.records.all.filter { $0.statusCode == 503 }.count
        let served = test.records.all.filter { $0.statusCode == 200 }.count
        print("served \(served), rejected with 503: \(rejected)")
        #expect(served > 0)
        let client = try test.client()
        try client.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }
}
