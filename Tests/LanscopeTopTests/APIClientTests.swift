import HTTPServer
import LanscopeTop
import Logging
import Testing

/// The client against lanscope's own HTTP server on 127.0.0.1:0, with basic authentication on.
@Suite struct APIClientTests {
    /// bcrypt (cost 5) of "wonderland", made with libxcrypt.
    static let aliceHash = "$2b$05$abcdefghijklmnopqrstuuA0vov2GDneHB3.8.cv9UF9g.RdvScIW"

    func withServer(_ body: (ServerAddress) throws -> Void) throws {
        let router = HTTPRouter()
        router.get("/devices.json") { _, _ in .json(Array(#"[{"mac":"aa:bb:cc:dd:ee:ff","hostname":"x"}]"#.utf8)) }
        router.get("/missing.json") { _, _ in .json(Array(#"{"error":"no device aa"}"#.utf8), status: .notFound) }
        let configuration = HTTPServer.Configuration(
            listen: "127.0.0.1:0",
            authentication: try Authentication(realm: "lanscope", basicAuthUsers: ["alice": Self.aliceHash]))
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "test"))
        let ports = try server.start()
        defer {
            server.shutdown(gracePeriod: .seconds(1))
            server.waitUntilStopped()
        }
        try body(try ServerAddress("http://127.0.0.1:\(ports[0])"))
    }

    @Test func get_returnsTheBody_withTheRightCredentials_overOneKeptAliveConnection() throws {
        try withServer { address in
            let client = APIClient(
                address: address, credentials: BasicCredentials(user: "alice", password: "wonderland"))
            for _ in 0..<3 {
                let devices = try DeviceSummary.decodeList(client.get("/devices.json"))
                #expect(devices.map(\.mac) == ["aa:bb:cc:dd:ee:ff"])
            }
        }
    }

    @Test func get_reports401_withAHintAboutCredentials() throws {
        try withServer { address in
            for credentials in [nil, BasicCredentials(user: "alice", password: "wrong")] {
                let client = APIClient(address: address, credentials: credentials)
                #expect {
                    try client.get("/devices.json")
                } throws: { error in
                    guard let error = error as? TopError, case .status(401, _) = error else { return false }
                    return error.description.contains("--user")
                }
            }
        }
    }

    @Test func get_reportsTheServersErrorMessage_onAnErrorStatus() throws {
        try withServer { address in
            let client = APIClient(
                address: address, credentials: BasicCredentials(user: "alice", password: "wonderland"))
            #expect(throws: TopError.status(404, "no device aa")) { try client.get("/missing.json") }
        }
    }

    @Test func get_reportsAConnectionError_whenNothingListens() throws {
        let port = try LiveLanscope.freePort()
        let client = APIClient(address: try ServerAddress("http://127.0.0.1:\(port)"), credentials: nil)
        #expect {
            try client.get("/devices.json")
        } throws: { error in
            guard case .connection(let why)? = error as? TopError else { return false }
            return why.contains("refused")
        }
    }
}
