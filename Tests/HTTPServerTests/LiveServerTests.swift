import Glibc
import HTTPServer
import Testing

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
        #expect(first.header("Connection") == nil)
    }
}
