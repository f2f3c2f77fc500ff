import Glibc
import HTTPServer
import Logging
import Testing

/// The real server on 127.0.0.1:0, spoken to over raw sockets.
@Suite struct LiveServerTests {
    @Test func server_servesTwoRequests_onOneKeepAliveConnection() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try client.readResponse()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let second = try client.readResponse()
        #expect(first.status == 200 && second.status == 200)
        #expect(first.text == "hello\n")
        #expect(first.header("Content-Length") == "6")
        #expect(first.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(first.header("Date")?.hasSuffix(" GMT") == true)
        #expect(first.header("Date")?.count == 29)
        #expect(first.header("Connection") == nil)
    }

    @Test func server_answersPipelinedRequests_inOrder() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send(
            "GET /echo?n=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /echo?n=3 HTTP/1.1\r\nHost: x\r\n\r\n")
        let bodies = try (0..<3).map { _ in try client.readResponse().text }
        #expect(bodies == ["n=1", "slow done", "n=3"])
    }

    @Test func head_sendsGetHeadersWithContentLength_butNoBody() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?after=head HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(headOnly: true)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "6")
        #expect(head.body.isEmpty)
        // Had the server sent a body, it would be read here as the next status line.
        #expect(try client.readResponse().text == "after=head")
    }

    @Test func http10_closesAfterResponse_unlessKeepAlive() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let plain = try test.client()
        try plain.send("GET /hello HTTP/1.0\r\n\r\n")
        let response = try plain.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(plain.readsEOF())

        let keepAlive = try test.client()
        try keepAlive.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try keepAlive.readResponse().header("Connection") == "keep-alive")
        try keepAlive.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try keepAlive.readResponse().status == 200)
        #expect(keepAlive.readsEOF())
    }

    @Test func connectionClose_isHonoured() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.readsEOF())
    }

    @Test func slowloris_gets408AndClose_evenWhileBytesKeepDribbling() throws {
        let test = try TestServer.start(limits: HTTPServer.Limits(headReadTimeout: .milliseconds(300)))
        defer { test.stop() }
        let client = try test.client()
        let started = ServerClock.now()
        var sent = 0
        // One byte every 50 ms: the head would take far longer than 300 ms.
        for byte in "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8 {
            if (try? client.send([byte])) == nil { break }
            sent += 1
            if ServerClock.milliseconds(since: started) > 600 { break }
            ServerClock.sleep(milliseconds: 50)
        }
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.header("Connection") == "close")
        #expect(client.readsEOF())
        #expect(sent < 20, "server should have cut the dribble short")
    }

    @Test func idleKeepAliveConnection_isClosed_afterIdleTimeout() throws {
        let test = try TestServer.start(limits: HTTPServer.Limits(keepAliveIdleTimeout: .milliseconds(300)))
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let started = ServerClock.now()
        #expect(client.readsEOF())
        let waited = ServerClock.milliseconds(since: started)
        #expect(waited >= 250 && waited < 2000, "closed after \(waited) ms")
    }

    @Test func connectionCap_rejectsTheExtraConnection_andKeepsServingOthers() throws {
        let test = try TestServer.start(limits: HTTPServer.Limits(maxConnections: 3))
        defer { test.stop() }
        let clients = try (0..<3).map { _ in try test.client() }
        for client in clients {
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let extra = try test.client()
        let rejected = try extra.readResponse()
        #expect(rejected.status == 503)
        #expect(rejected.header("Connection") == "close")
        #expect(extra.readsEOF())
        for client in clients {
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        // Once one connection goes away, a new one is admitted.
        try clients[0].send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        _ = try clients[0].readResponse()
        #expect(clients[0].readsEOF())
        clients[0].close()
        ServerClock.sleep(milliseconds: 50)
        let admitted = try test.client()
        try admitted.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try admitted.readResponse().status == 200)
        #expect(test.records.all.contains { $0.statusCode == 503 && $0.route == "other" })
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
        ("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    ])
    func malformedRequest_getsErrorStatus_andClose(request: String, expected: Int) throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == expected)
        #expect(response.header("Connection") == "close")
        #expect(response.header("Content-Length") != nil)
        #expect(client.readsEOF())
    }

    @Test func limits_atNAreServed_andAtNPlusOneRejected() throws {
        let limits = HTTPServer.Limits(maxRequestLineBytes: 64, maxHeaderBytes: 64, maxHeaderCount: 3, maxBodyBytes: 8)
        let test = try TestServer.start(limits: limits)
        defer { test.stop() }
        func exchange(_ request: String) throws -> Int {
            let c = try test.client(); try c.send(request); return try c.readResponse().status
        }
        let line = { (pathLength: Int) in
            "GET /" + String(repeating: "a", count: pathLength) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        }
        #expect(try exchange(line(64 - 14)) == 404)
        #expect(try exchange(line(64 - 13)) == 414)
        let pad = { (count: Int) in
            "GET /hello HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "v", count: count) + "\r\n\r\n"
        }
        #expect(try exchange(pad(64 - 9 - 5)) == 200)
        #expect(try exchange(pad(64 - 9 - 5 + 1)) == 431)
        #expect(try exchange("GET /hello HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n") == 200)
        #expect(try exchange("GET /hello HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n") == 431)
        #expect(try exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n12345678") == 200)
        #expect(try exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n123456789") == 413)
        #expect(try exchange("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n12345678") == 200)
    }

    @Test func expectContinue_getsInterimResponse_beforeTheBodyIsSent() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send("12345")
        let response = try client.readResponse()
        #expect(response.status == 200 && response.text == "got 5")
    }

    @Test func requestsPerConnection_serveN_thenClose() throws {
        let test = try TestServer.start(limits: HTTPServer.Limits(maxRequestsPerConnection: 2))
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == nil)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.readsEOF())
    }

    @Test func routing_gives404_405WithAllow_andRecordsRouteNames() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 404)
        try client.send("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "GET, HEAD")
        try client.send("GET /devices/aa:bb.json HTTP/1.1\r\nHost: x\r\n\r\n")
        let device = try client.readResponse()
        #expect(device.text == "{\"mac\":\"aa:bb\"}")
        #expect(device.header("Content-Type") == "application/json")
        try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        #expect(try client.readResponse().text == "got 3")
        let records = test.records.all.map { "\($0.route) \($0.method) \($0.statusCode)" }
        #expect(records == ["other GET 404", "/hello DELETE 405", "/devices/{mac}.json GET 200", "/upload POST 200"])
    }

    @Test func shutdown_finishesInFlightResponse_thenCloses() throws {
        let test = try TestServer.start()
        let busy = try test.client()
        let idle = try test.client()
        try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        ServerClock.sleep(milliseconds: 100)
        test.server.shutdown(gracePeriod: .seconds(2))
        let response = try busy.readResponse()
        #expect(response.text == "slow done")
        #expect(busy.readsEOF())
        #expect(idle.readsEOF())
        test.server.waitUntilStopped()
        #expect(throws: ClientError.self) { _ = try RawClient(port: test.port) }
    }

    @Test func start_rejectsBadAddresses_andAddressInUse() throws {
        let router = HTTPRouter()
        for bad in ["9184", "nohost:80", "127.0.0.1:99999", "[::1:80", "[zz]:80", "1.2.3.4:", ":-1"] {
            let server = HTTPServer(configuration: .init(listen: bad), router: router, logger: .init(label: "t"))
            #expect(throws: HTTPServerError.self, "\(bad)") { _ = try server.start() }
        }
        let first = try TestServer.start()
        let second = HTTPServer(
            configuration: .init(listen: "127.0.0.1:\(first.port)"), router: router,
            logger: .init(label: "t"))
        #expect(throws: HTTPServerError.addressInUse("127.0.0.1:\(first.port)")) { _ = try second.start() }
        // A failed start can be retried once the address is free.
        first.stop()
        #expect(try second.start() == [first.port])
        second.shutdown(gracePeriod: .milliseconds(100))
        second.waitUntilStopped()
        #expect(throws: HTTPServerError.alreadyStarted) { _ = try second.start() }
    }

    @Test func server_listensOnIPv6Loopback_andDualStackAny() throws {
        let router = TestServer.defaultRouter()
        for listen in ["[::1]:0", ":0"] {
            let server = HTTPServer(configuration: .init(listen: listen), router: router, logger: .init(label: "t"))
            let port = try #require(try server.start().first)
            defer {
                server.shutdown(gracePeriod: .milliseconds(100))
                server.waitUntilStopped()
            }
            #expect(port > 0)
            let v6 = try RawClient(port: port, host: "::1")
            try v6.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try v6.readResponse().status == 200)
            if listen == ":0" {
                let v4 = try RawClient(port: port, host: "127.0.0.1")
                try v4.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try v4.readResponse().status == 200)
            }
        }
    }
}

/// Wall-clock helpers for live tests only.
enum ServerClock {
    static func now() -> timespec {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return spec
    }

    static func milliseconds(since start: timespec) -> Int {
        let end = now()
        return (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1_000_000
    }

    static func sleep(milliseconds: Int) {
        var pause = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        nanosleep(&pause, nil)
    }
}
