import Glibc
import HTTPServer
import Logging

/// Starts a server on 127.0.0.1:0 with a few routes, and shuts it down at the end of `body`.
struct TestServer {
    let server: HTTPServer
    let port: Int
    let records: RecordBox

    final class RecordBox: @unchecked Sendable {
        private var lock = pthread_mutex_t()
        private var items: [RequestLogRecord] = []
        init() { pthread_mutex_init(&lock, nil) }
        func append(_ record: RequestLogRecord) {
            pthread_mutex_lock(&lock); items.append(record); pthread_mutex_unlock(&lock)
        }
        var all: [RequestLogRecord] {
            pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return items
        }
    }

    static func defaultRouter() -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/hello") { _, _ in .text("hello\n") }
        router.get("/-/healthy", requiresAuthentication: false) { _, _ in .text("ok\n") }
        router.get("/devices/{mac}.json") { _, parameters in
            .json(Array("{\"mac\":\"\(parameters["mac"] ?? "")\"}".utf8))
        }
        router.get("/echo") { request, _ in
            .text(request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&"))
        }
        router.add("/upload", methods: ["POST"]) { request, _ in .text("got \(request.body.count)") }
        router.get("/slow") { _, _ in
            var pause = timespec(tv_sec: 0, tv_nsec: 400_000_000)
            nanosleep(&pause, nil)
            return .text("slow done")
        }
        return router
    }

    static func start(
        limits: HTTPServer.Limits = HTTPServer.Limits(), authentication: Authentication? = nil,
        router: HTTPRouter = defaultRouter(), workers: Int = 2,
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> TestServer {
        let records = RecordBox()
        var configuration = HTTPServer.Configuration(
            listen: "127.0.0.1:0", limits: limits,
            authentication: authentication, workerThreads: workers)
        configure(&configuration)
        configuration.listen = "127.0.0.1:0"
        let server = HTTPServer(
            configuration: configuration, router: router, logger: Logger(label: "test"),
            observer: { records.append($0) })
        let ports = try server.start()
        return TestServer(server: server, port: ports[0], records: records)
    }

    func stop() {
        server.shutdown(gracePeriod: .seconds(1))
        server.waitUntilStopped()
    }

    func client() throws -> RawClient { try RawClient(port: port) }

    /// Polls the server's statistics until `condition` holds or `seconds` pass; the last value either way.
    func statistics(
        within seconds: Int = 10, until condition: (HTTPServer.Statistics) -> Bool
    ) -> HTTPServer.Statistics {
        let started = ServerClock.now()
        var current = server.statistics()
        while !condition(current) && ServerClock.milliseconds(since: started) < seconds * 1000 {
            ServerClock.sleep(milliseconds: 20)
            current = server.statistics()
        }
        return current
    }
}
