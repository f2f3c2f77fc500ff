import Glibc
import HTTPServer
import Testing

/// Multi-megabyte bodies (a 10,000-device `/metrics`) leave in head + body parts and across many
/// partial sends; they must arrive whole and in order, also pipelined behind each other.
@Suite struct LargeBodyTests {
    static let body: [UInt8] = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }

    @Test func largeBody_arrivesWhole_andHeadReportsItsLength() throws {
        let router = HTTPRouter()
        router.get("/big") { _, _ in HTTPResponse(status: .ok, body: LargeBodyTests.body) }
        router.get("/small") { _, _ in .text("after\n") }
        let test = try TestServer.start(router: router)
        defer { test.stop() }
        let client = try RawClient(port: test.port, timeout: .seconds(20))
        try client.send(
            "GET /big HTTP/1.1\r\nHost: x\r\n\r\nHEAD /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let big = try client.readResponse()
        #expect(big.status == 200)
        #expect(big.header("Content-Length") == String(Self.body.count))
        #expect(big.body.count == Self.body.count)
        #expect(big.body == Self.body)
        let head = try client.readResponse(headOnly: true)
        #expect(head.header("Content-Length") == String(Self.body.count))
        #expect(head.body.isEmpty)
        let small = try client.readResponse()
        #expect(small.text == "after\n")
    }
}
