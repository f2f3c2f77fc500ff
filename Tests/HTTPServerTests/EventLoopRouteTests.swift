import Glibc
import HTTPServer
import Testing

/// Routes registered with `runsOnEventLoop` are answered on the event-loop thread; everything else,
/// and any such route that needs credentials, still runs on a worker. Order, keep-alive and HEAD
/// behave the same either way.
@Suite struct EventLoopRouteTests {
    /// The thread each route's handler last ran on, by route.
    final class Threads: @unchecked Sendable {
        private var lock = pthread_mutex_t()
        private var seen: [String: Set<UInt>] = [:]
        init() { pthread_mutex_init(&lock, nil) }
        func note(_ route: String) {
            let me = UInt(pthread_self())
            pthread_mutex_lock(&lock); seen[route, default: []].insert(me); pthread_mutex_unlock(&lock)
        }
        func of(_ route: String) -> Set<UInt> {
            pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return seen[route] ?? []
        }
    }

    static func router(_ threads: Threads) -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/-/healthy", requiresAuthentication: false, runsOnEventLoop: true) { _, _ in
            threads.note("healthy")
            return .text("OK\n")
        }
        router.get("/inline-but-private", runsOnEventLoop: true) { _, _ in
            threads.note("private")
            return .text("private\n")
        }
        router.get("/worker") { request, _ in
            threads.note("worker")
            return .text("worker \(request.query.first?.value ?? "")")
        }
        router.get("/slow") { _, _ in
            threads.note("worker")
            var pause = timespec(tv_sec: 0, tv_nsec: 200_000_000)
            nanosleep(&pause, nil)
            return .text("slow done")
        }
        return router
    }

    @Test func eventLoopRoute_runsOffTheWorkers_andOthersOnThem() throws {
        let threads = Threads()
        let test = try TestServer.start(router: Self.router(threads), workers: 1)
        defer { test.stop() }
        let client = try test.client()
        for _ in 0..<3 {
            try client.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "OK\n")
            try client.send("GET /worker HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        // Without authentication configured, a route marked for the loop runs there too.
        try client.send("GET /inline-but-private HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "private\n")
        #expect(threads.of("healthy").count == 1)
        #expect(threads.of("worker").count == 1)
        #expect(threads.of("healthy") == threads.of("private"))
        #expect(threads.of("healthy").isDisjoint(with: threads.of("worker")))
        #expect(test.records.all.filter { $0.route == "/-/healthy" && $0.statusCode == 200 }.count == 3)
    }

    @Test func eventLoopRoute_needingCredentials_staysOnAWorker() throws {
        let threads = Threads()
        let authentication = try Authentication(realm: "r", bearerToken: "tkn")
        let test = try TestServer.start(authentication: authentication, router: Self.router(threads), workers: 1)
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /inline-but-private HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 401)
        try client.send("GET /inline-but-private HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tkn\r\n\r\n")
        #expect(try client.readResponse().text == "private\n")
        try client.send("GET /worker HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tkn\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        try client.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "OK\n")
        #expect(threads.of("private") == threads.of("worker"))
        #expect(threads.of("healthy").isDisjoint(with: threads.of("worker")))
    }

    /// A long pipelined run mixing loop and worker routes comes back complete and in order.
    @Test func pipelinedMix_isAnsweredInOrder() throws {
        let threads = Threads()
        let test = try TestServer.start(router: Self.router(threads))
        defer { test.stop() }
        let client = try test.client()
        var expected: [String] = []
        var batch = ""
        for i in 0..<600 {
            switch i % 5 {
            case 0:
                batch += "GET /worker?n=\(i) HTTP/1.1\r\nHost: x\r\n\r\n"
                expected.append("worker \(i)")
            case 1 where i % 100 == 1:
                batch += "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                expected.append("slow done")
            case 2:
                batch += "HEAD /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                expected.append("HEAD")
            default:
                batch += "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                expected.append("OK\n")
            }
        }
        try client.send(batch)
        for (i, want) in expected.enumerated() {
            let response = try client.readResponse(headOnly: want == "HEAD")
            #expect(response.status == 200, "response \(i)")
            if want == "HEAD" {
                #expect(response.body.isEmpty && response.header("Content-Length") == "3", "response \(i)")
            } else {
                #expect(response.text == want, "response \(i)")
            }
        }
        // A run longer than the loop answers per iteration (its rounds cap) all on the loop.
        try client.send(String(repeating: "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", count: 300))
        for i in 0..<300 { #expect(try client.readResponse().text == "OK\n", "healthy \(i)") }
        // The connection is still usable afterwards.
        try client.send("GET /worker?n=last HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "worker last")
    }
}
