import Glibc
import HTTPServer
import Testing

/// Limits that keep one client from taking the server: per-address connections, send stalls, and
/// prioritized routes that never queue behind slow ones. Live on loopback, a few sockets each.
@Suite struct TransportProtectionTests {
    @Test func perAddressCap_servesN_rejectsNPlusOne_andAdmitsAnotherAddress() throws {
        let test = try TestServer.start(limits: HTTPServer.Limits(maxConnections: 20, maxConnectionsPerAddress: 3))
        defer { test.stop() }
        let clients = try (0..<3).map { _ in try RawClient(port: test.port, source: "127.0.0.1") }
        for client in clients {
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let extra = try RawClient(port: test.port, source: "127.0.0.1")
        let rejected = try extra.readResponse()
        #expect(rejected.status == 503)
        #expect(rejected.header("Connection") == "close")
        #expect(extra.readsEOF())
        // Another host (127.0.0.2 on loopback) is not affected by the first one's connections.
        let other = try RawClient(port: test.port, source: "127.0.0.2")
        try other.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try other.readResponse().status == 200)
        let statistics = test.server.statistics()
        #expect(statistics.connectionsRejectedPerAddress == 1)
        #expect(statistics.connectionsRejectedAtCapacity == 0)
        #expect(statistics.openConnections == 4)
        // A slot freed by the first address is available to it again.
        try clients[0].send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        _ = try clients[0].readResponse()
        #expect(clients[0].readsEOF())
        clients[0].close()
        _ = test.statistics { $0.openConnections == 3 }
        let admitted = try RawClient(port: test.port, source: "127.0.0.1")
        try admitted.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try admitted.readResponse().status == 200)
        #expect(test.records.all.contains { $0.statusCode == 503 && $0.route == "other" })
    }

    @Test func sendStall_closesAConnectionThatReadsNothing_andCountsIt() throws {
        let router = TestServer.defaultRouter()
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 8 << 20)
        router.get("/big") { _, _ in HTTPResponse(body: big) }
        let test = try TestServer.start(
            limits: HTTPServer.Limits(keepAliveIdleTimeout: .seconds(120), sendStallTimeout: .seconds(1)),
            router: router)
        defer { test.stop() }
        let slow = try RawClient(port: test.port, timeout: .seconds(10), receiveBuffer: 4096)
        try slow.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        // Before the stall timeout existed the response waited for the 120 s idle timeout.
        let statistics = test.statistics { $0.connectionsClosedSendStall == 1 && $0.openConnections == 0 }
        #expect(statistics.connectionsClosedSendStall == 1)
        #expect(statistics.openConnections == 0)
        #expect(statistics.pendingResponseBytes == 0)
        // A client that reads gets the whole 8 MiB body (progress keeps restarting the timer).
        let reader = try RawClient(port: test.port, timeout: .seconds(10))
        try reader.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try reader.readResponse().body.count == 8 << 20)
    }

    @Test func prioritizedRoute_isServed_whileSlowRequestsHoldEveryGeneralWorker() throws {
        let gate = Gate()
        let router = HTTPRouter()
        router.get("/slow.json") { _, _ in
            gate.wait()
            return .json(Array("[]".utf8))
        }
        router.get("/metrics", prioritized: true) { _, _ in .text("up 1\n") }
        let test = try TestServer.start(router: router, workers: 2)
        defer {
            gate.open()
            test.stop()
        }
        // Two requests occupy both general workers, four more wait in the queue.
        let slow = try (0..<6).map { _ in try RawClient(port: test.port, timeout: .seconds(10)) }
        for client in slow { try client.send("GET /slow.json HTTP/1.1\r\nHost: x\r\n\r\n") }
        #expect(gate.waitForWaiters(2))
        let scraper = try RawClient(port: test.port, timeout: .seconds(5))
        try scraper.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let scrape = try scraper.readResponse()
        #expect(scrape.status == 200)
        #expect(scrape.text == "up 1\n")
        #expect(gate.waiters == 2, "the slow requests were still being held while the scrape was served")
        gate.open()
        for client in slow { #expect(try client.readResponse().status == 200) }
    }
}

/// A gate handlers wait at until the test opens it (bounded: it opens itself after 10 s).
final class Gate: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var isOpen = false
    private var waiting = 0

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    func wait() {
        pthread_mutex_lock(&mutex)
        waiting += 1
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += 10
        while !isOpen { if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { break } }
        waiting -= 1
        pthread_mutex_unlock(&mutex)
    }

    func open() {
        pthread_mutex_lock(&mutex)
        isOpen = true
        pthread_mutex_unlock(&mutex)
        pthread_cond_broadcast(&condition)
    }

    var waiters: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return waiting
    }

    /// Whether `count` handlers are waiting within 5 s.
    func waitForWaiters(_ count: Int) -> Bool {
        let started = ServerClock.now()
        while waiters < count {
            if ServerClock.milliseconds(since: started) > 5000 { return false }
            ServerClock.sleep(milliseconds: 10)
        }
        return true
    }
}
