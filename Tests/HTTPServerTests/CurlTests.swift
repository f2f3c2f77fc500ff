import Foundation
import HTTPServer
import TestSupport
import Testing

/// curl as an independent client: GET, HEAD (`-I`) and `--http1.0`.
@Suite struct CurlTests {
    /// curl with a 5 s limit; its exit status and output (body, or the error).
    static func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runTool("/usr/bin/curl", ["--silent", "--show-error", "--max-time", "5"] + arguments)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curl_getsBody_headers_andHttp10() throws {
        let test = try TestServer.start()
        defer { test.stop() }
        let url = "http://127.0.0.1:\(test.port)"
        let get = try Self.curl(["\(url)/hello", "\(url)/echo?a=b%20c"])
        #expect(get.status == 0)
        #expect(get.output == "hello\na=b c")
        let head = try Self.curl(["-I", "\(url)/hello"])
        #expect(head.status == 0)
        #expect(head.output.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.output.contains("Content-Length: 6\r\n"))
        let old = try Self.curl(["--http1.0", "-i", "\(url)/hello"])
        #expect(old.status == 0)
        #expect(old.output.contains("Connection: close\r\n"))
        #expect(old.output.hasSuffix("\r\n\r\nhello\n"))
        let missing = try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(url)/missing"])
        #expect(missing.output == "404")
    }
}
