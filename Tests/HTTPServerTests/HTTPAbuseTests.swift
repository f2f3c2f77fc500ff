import Foundation
import Glibc
import HTTPServer
import Testing

/// Many sockets against one server on loopback: bounded in count (300 clients) and time (each wait ≤ 30 s),
/// asserting memory read from /proc/self/status, not just "still alive". Select with `--filter Abuse`.
@Suite(.serialized) struct HTTPAbuseTests {
    static let clients = 300
    // Above the kernel's largest send buffer (tcp_wmem max, 4 MiB here), so most of each body waits in the
    // process, as the 6.7 MB scrape of a 10,000-device LAN does.
    static let bodyBytes = 6 << 20
    static let budget = 16 << 20

    /// Resident memory of this process in bytes (VmRSS), or nil where /proc is missing.
    static func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return digits.map { $0 * 1024 }
        }
        return nil
    }

    @Test func slowReaders_holdBoundedMemory_whileAReaderIsServed_andMemoryIsGivenBack() throws {
        let baseline = try #require(Self.residentBytes(), "VmRSS from /proc/self/status is what this test measures")
        let router = HTTPRouter()
        // A fresh body per request: the worst case, nothing shared between responses.
        router.get("/big") { _, _ in HTTPResponse(body: [UInt8](repeating: UInt8(ascii: "m"), count: Self.bodyBytes)) }
        router.get("/hello") { _, _ in .text("hello\n") }
        let test = try TestServer.start(
            limits: HTTPServer.Limits(sendStallTimeout: .seconds(30), maxPendingResponseBytes: Self.budget),
            router: router, configure: { $0.trimMemoryAfterBurstBytes = 8 << 20 })
        defer { test.stop() }

        // 300 clients that ask and never read, from five loopback addresses (60 each, under the
        // per-address cap of 64), each with a tiny receive window so the kernel buffers almost nothing.
        var stuck: [RawClient] = []
        for index in 0..<Self.clients {
            let client = try RawClient(
                port: test.port, timeout: .seconds(5), source: "127.0.1.\(index % 5 + 1)", receiveBuffer: 4096)
            try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            stuck.append(client)
        }
        var peak = baseline
        let started = ServerClock.now()
        while test.records.all.count < Self.clients && ServerClock.milliseconds(since: started) < 30_000 {
            peak = max(peak, Self.residentBytes() ?? 0)
            ServerClock.sleep(milliseconds: 10)
        }
        #expect(test.records.all.count == Self.clients, "every request was answered by a handler")
        // Completions reach the event loop a little after the handlers return.
        let settled = test.statistics { $0.connectionsClosedMemoryBudget >= UInt64(Self.clients - 10) }
        peak = max(peak, Self.residentBytes() ?? 0)

        // Meanwhile a client that reads is served in full, and a small request too.
        let reader = try RawClient(port: test.port, timeout: .seconds(10), source: "127.0.2.1")
        try reader.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let scrape = try reader.readResponse()
        #expect(scrape.status == 200)
        #expect(scrape.body.count == Self.bodyBytes)
        #expect(try reader.readResponse().text == "hello\n")
        peak = max(peak, Self.residentBytes() ?? 0)

        let growth = peak - baseline
        print(
            "abuse: \(Self.clients) slow readers of \(Self.bodyBytes >> 20) MiB: VmRSS \(baseline >> 20) → peak \(peak >> 20) MiB; "
                + "closed for the budget \(settled.connectionsClosedMemoryBudget), pending peak \(settled.pendingResponseBytesPeak >> 20) MiB"
        )
        // Unbounded, 300 × 6 MiB stayed resident (VmRSS 32 → 1841 MiB). Bounded: the budget, a render per
        // worker, and generous slack, because VmRSS is the whole test process and other suites run beside
        // this one; the server's own accounting (pending peak) is the exact check.
        #expect(growth < Self.budget + 240 << 20, "VmRSS grew by \(growth >> 20) MiB")
        #expect(settled.pendingResponseBytesPeak <= Self.budget)
        // All but the few that fit were closed: with 6 MiB bodies and a 16 MiB budget, two fit at a time.
        #expect(settled.connectionsClosedMemoryBudget >= UInt64(Self.clients - 10))

        // When they leave, nothing stays pending and the freed memory goes back to the kernel.
        for client in stuck { client.close() }
        let after = test.statistics { $0.openConnections <= 1 && $0.pendingResponseBytes == 0 && $0.memoryTrims > 0 }
        #expect(after.pendingResponseBytes == 0)
        #expect(after.memoryTrims >= 1)
        let released = Self.residentBytes() ?? 0
        print("abuse: after the slow readers left VmRSS \(released >> 20) MiB (\(after.memoryTrims) trims)")
    }

    @Test func manyConnectionsFromOneAddress_areCapped_whileAnotherAddressConnects() throws {
        let test = try TestServer.start(limits: HTTPServer.Limits(maxConnections: 512, maxConnectionsPerAddress: 64))
        defer { test.stop() }
        // 200 half-open requests from one address: only 64 are admitted.
        var flood: [RawClient] = []
        for _ in 0..<200 {
            let client = try RawClient(port: test.port, timeout: .seconds(5), source: "127.0.3.1")
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
            flood.append(client)
        }
        let statistics = test.statistics { $0.connectionsRejectedPerAddress + UInt64($0.openConnections) >= 200 }
        #expect(statistics.openConnections == 64)
        #expect(statistics.connectionsRejectedPerAddress == 136)
        for index in 0..<10 {
            let probe = try RawClient(port: test.port, timeout: .seconds(5), source: "127.0.4.\(index + 1)")
            try probe.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try probe.readResponse().status == 200)
        }
        for client in flood { client.close() }
    }
}
