import Testing

@testable import HTTPServer

@Suite struct ResponseEncoderTests {
    func encode(
        _ response: HTTPResponse, headOnly: Bool = false, close: Bool = false,
        version: HTTPVersion = .http1_1
    ) -> String {
        var encoder = ResponseEncoder()
        return String(
            decoding: encoder.encode(response, headOnly: headOnly, close: close, version: version), as: UTF8.self)
    }

    func withoutDate(_ text: String) -> String {
        text.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Date: ") }
            .joined(separator: "\r\n")
    }

    @Test func encoder_addsFramingHeaders_inOneBuffer() {
        let text = encode(.json(Array("{}".utf8)))
        #expect(withoutDate(text) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        #expect(text.contains("\r\nDate: "))
    }

    @Test func encoder_headKeepsContentLength_butDropsBody() {
        let text = encode(.text("hello"), headOnly: true)
        #expect(
            withoutDate(text)
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func encoder_marksClose_andKeepAliveFor10() {
        #expect(encode(.text(""), close: true).contains("\r\nConnection: close\r\n"))
        #expect(encode(.text(""), version: .http1_0).contains("\r\nConnection: keep-alive\r\n"))
        #expect(!encode(.text("")).contains("Connection:"))
    }

    @Test func encoder_dropsReservedAndUnsafeHandlerHeaders() {
        var response = HTTPResponse.text("x")
        response.headers.add(name: "Content-Length", value: "999")
        response.headers.add(name: "Transfer-Encoding", value: "chunked")
        response.headers.add(name: "X-Injected", value: "a\r\nSet-Cookie: evil=1")
        response.headers.add(name: "Bad Name", value: "v")
        response.headers.add(name: "X-Fine", value: "ok")
        let text = encode(response)
        #expect(
            !text.contains("999") && !text.contains("chunked") && !text.contains("evil") && !text.contains("Bad Name"))
        #expect(text.contains("\r\nX-Fine: ok\r\n"))
        #expect(text.contains("\r\nContent-Length: 1\r\n"))
    }

    @Test func encoder_omitsContentLengthAndBody_for204() {
        let text = encode(HTTPResponse(status: .noContent, body: Array("ignored".utf8)))
        #expect(!text.contains("Content-Length") && !text.hasSuffix("ignored"))
        #expect(text.hasPrefix("HTTP/1.1 204 No Content\r\n"))
    }

    @Test func date_isIMFFixdate() {
        #expect(String(decoding: HTTPDateCache.format(0), as: UTF8.self) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(String(decoding: HTTPDateCache.format(784_111_777), as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(String(decoding: HTTPDateCache.format(1_709_251_199), as: UTF8.self) == "Thu, 29 Feb 2024 23:59:59 GMT")
    }

    @Test func listenAddress_parsesSupportedForms() throws {
        #expect(try ListenAddress(parsing: ":9184") == ListenAddress(host: .any, port: 9184))
        #expect(
            try ListenAddress(parsing: "127.0.0.1:0")
                == ListenAddress(host: .ipv4(UInt32(0x7F00_0001).bigEndian), port: 0))
        #expect(try ListenAddress(parsing: "0.0.0.0:9184") == ListenAddress(host: .ipv4(0), port: 9184))
        #expect(
            try ListenAddress(parsing: "[::1]:9184")
                == ListenAddress(host: .ipv6(Array(repeating: 0, count: 15) + [1]), port: 9184))
        for bad in [
            "", "9184", ":", ":65536", ":+80", "[::1]", "[::1:80", "example.com:80", "1.2.3:80", "[1.2.3.4]:80",
        ] {
            #expect(throws: HTTPServerError.self, "\(bad)") { _ = try ListenAddress(parsing: bad) }
        }
    }
}
