import Testing

@testable import HTTPServer

/// A comparable digest of a parsed request.
private func summary(_ request: HTTPRequest) -> String {
    let headers = request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
    let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    return "\(request.method) \(request.target) \(request.path) [\(query)] \(request.version) {\(headers)} "
        + "\(request.body.count):\(String(decoding: request.body, as: UTF8.self))"
}

/// Feeds `input` in chunks of `chunk` bytes and collects every request until an error or the end.
private func parseAll(_ input: String, chunk: Int? = nil, limits: HTTPServer.Limits = HTTPServer.Limits())
    -> (requests: [HTTPRequest], error: HTTPParseError?)
{
    var parser = HTTPRequestParser(limits: limits)
    var requests: [HTTPRequest] = []
    let bytes = Array(input.utf8)
    let size = chunk ?? max(bytes.count, 1)
    var offset = 0
    repeat {
        let end = min(offset + size, bytes.count)
        parser.append(bytes[offset..<end])
        offset = end
        do {
            while let request = try parser.nextRequest() { requests.append(request) }
        } catch {
            return (requests, error)
        }
    } while offset < bytes.count
    return (requests, nil)
}

private func parseOne(_ input: String, limits: HTTPServer.Limits = HTTPServer.Limits()) -> Result<
    HTTPRequest, HTTPParseError
>? {
    let (requests, error) = parseAll(input, limits: limits)
    if let error { return .failure(error) }
    return requests.first.map { .success($0) }
}

private func status(_ input: String, limits: HTTPServer.Limits = HTTPServer.Limits()) -> Int? {
    switch parseOne(input, limits: limits) {
    case .success: 200
    case .failure(let error): error.status.code
    case nil: nil
    }
}

@Suite struct RequestParserTests {
    static let stream =
        "GET /a/b?x=1&y=%20z HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n"
        + "POST /upload HTTP/1.1\r\nHost: example\r\nContent-Length: 11\r\n\r\nhello world"
        + "\r\nHEAD /c HTTP/1.0\r\nX-Empty:\r\nX-Spaces:   padded value  \r\n\r\n"

    @Test func parser_givesIdenticalResults_forAnyChunking() {
        let whole = parseAll(Self.stream)
        #expect(whole.error == nil)
        #expect(whole.requests.count == 3)
        let expected = whole.requests.map(summary)
        for chunk in [1, 2, 3, 7, 16, 64] {
            let chunked = parseAll(Self.stream, chunk: chunk)
            #expect(chunked.error == nil, "chunk \(chunk)")
            #expect(chunked.requests.map(summary) == expected, "chunk \(chunk)")
        }
        #expect(expected[0] == "GET /a/b?x=1&y=%20z /a/b [x=1&y= z] HTTP/1.1 {Host=example;Accept=*/*} 0:")
        #expect(expected[1] == "POST /upload /upload [] HTTP/1.1 {Host=example;Content-Length=11} 11:hello world")
        #expect(expected[2] == "HEAD /c /c [] HTTP/1.0 {X-Empty=;X-Spaces=padded value} 0:")
    }

    @Test func parser_returnsNil_untilTheHeadIsComplete() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8))
        #expect(try parser.nextRequest() == nil)
        #expect(parser.hasPartialRequest)
        parser.append(Array("\r\n".utf8))
        #expect(try parser.nextRequest()?.path == "/")
        #expect(!parser.hasPartialRequest)
    }

    // MARK: Limits at N and N+1

    @Test func requestLine_atLimit_isAccepted_andOneMoreIs414() {
        let limit = 64
        let limits = HTTPServer.Limits(maxRequestLineBytes: limit)
        let fixed = "GET / HTTP/1.1".utf8.count
        let atLimit = "GET /" + String(repeating: "a", count: limit - fixed) + " HTTP/1.1"
        #expect(atLimit.utf8.count == limit)
        #expect(status(atLimit + "\r\nHost: h\r\n\r\n", limits: limits) == 200)
        let over = "GET /" + String(repeating: "a", count: limit - fixed + 1) + " HTTP/1.1"
        #expect(status(over + "\r\nHost: h\r\n\r\n", limits: limits) == 414)
        // Rejected as soon as the line is too long, before the line ending arrives.
        #expect(status(over, limits: limits) == 414)
        #expect(status(String(repeating: "a", count: limit + 1), limits: limits) == 414)
        #expect(status(atLimit, limits: limits) == nil)
    }

    @Test func veryLongTarget_is414() {
        let target = "/" + String(repeating: "x", count: 100_000)
        #expect(status("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") == 414)
    }

    @Test func headerBytes_atLimit_areAccepted_andOneMoreIs431() {
        // Header bytes count each field line with its CRLF: "Host: h\r\n" is 9, "X: <v>\r\n" is 5 + v.
        let limit = 100
        let limits = HTTPServer.Limits(maxHeaderBytes: limit)
        let value = String(repeating: "v", count: limit - 9 - 5)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: \(value)\r\n\r\n", limits: limits) == 200)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: \(value)v\r\n\r\n", limits: limits) == 431)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: \(value)vv", limits: limits) == 431)
        // Byte by byte, the final empty line must not be mistaken for one more header byte.
        let dribbled = parseAll("GET / HTTP/1.1\r\nHost: h\r\nX: \(value)\r\n\r\n", chunk: 1, limits: limits)
        #expect(dribbled.error == nil && dribbled.requests.count == 1)
    }

    @Test func headerCount_atLimit_isAccepted_andOneMoreIs431() {
        let limits = HTTPServer.Limits(maxHeaderCount: 5)
        let four = (1...4).map { "X-\($0): v\r\n" }.joined()
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\n\(four)\r\n", limits: limits) == 200)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\n\(four)X-5: v\r\n\r\n", limits: limits) == 431)
    }

    @Test func body_atLimit_isAccepted_andOneMoreIs413() {
        let limits = HTTPServer.Limits(maxBodyBytes: 10)
        let accepted = parseOne("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits)
        #expect((try? accepted?.get())?.body == Array("0123456789".utf8))
        #expect(status("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n01234567890", limits: limits) == 413)
        #expect(status("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n") == 413)
    }

    @Test func getWithBody_isAccepted_andBodyDiscarded_andNextRequestFollows() {
        let input = "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nxxxxxGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
        let (requests, error) = parseAll(input)
        #expect(error == nil)
        #expect(requests.map(\.path) == ["/a", "/b"])
        #expect(requests.first?.body.isEmpty == true)
    }

    // MARK: Header syntax

    @Test func headerName_acceptsExactlyTchar_forAll256Bytes() {
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        for value in 0...255 {
            let byte = UInt8(value)
            var input = Array("GET / HTTP/1.1\r\nHost: h\r\nX".utf8)
            input.append(byte)
            input.append(contentsOf: Array("Y: v\r\n\r\n".utf8))
            var parser = HTTPRequestParser()
            parser.append(input)
            let result = Result { () throws(HTTPParseError) in try parser.nextRequest() }
            // A colon simply ends the name early ("X"), leaving "Y: v" as a valid value.
            let expectAccepted = tchar.contains(byte) || byte == UInt8(ascii: ":")
            switch result {
            case .success(let request):
                #expect(expectAccepted && request != nil, "byte \(value) accepted")
            case .failure(let error):
                #expect(!expectAccepted, "byte \(value) rejected: \(error)")
                #expect(error.status.code == 400, "byte \(value)")
            }
        }
    }

    @Test func whitespaceBeforeColon_is400() {
        #expect(status("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX\t: v\r\n\r\n") == 400)
    }

    @Test func obsFold_is400() {
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  continued\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tcontinued\r\n\r\n") == 400)
    }

    @Test func controlBytesInValue_are400() {
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{7F}\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\r\n\r\n") == 200)
    }

    @Test func bareLF_isAcceptedAsLineEnding_butBareCRIs400() {
        let request = try? parseOne("GET /lf HTTP/1.1\nHost: h\nX: y\n\n")?.get()
        #expect(request?.path == "/lf")
        #expect(request?.headers["x"] == "y")
        #expect(status("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\rHost: h\r\n\r\n") == 400)
    }

    @Test func leadingEmptyLines_areSkipped() {
        let request = try? parseOne("\r\n\r\n\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n")?.get()
        #expect(request?.path == "/x")
    }

    @Test func hostHeader_isRequiredOnceIn11_andOptionalIn10() {
        #expect(status("GET / HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.0\r\n\r\n") == 200)
    }

    // MARK: Framing

    @Test func contentLengthWithTransferEncoding_is400() {
        let input = "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        #expect(parseOne(input).map { if case .failure(.conflictingFraming) = $0 { true } else { false } } == true)
        #expect(status(input) == 400)
        #expect(status("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n") == 400)
    }

    @Test func transferEncoding_is501_andIn10Is400() {
        #expect(status("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n") == 501)
        #expect(status("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501)
        #expect(status("POST /u HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400)
    }

    @Test func contentLength_duplicatesMustAgree_andBeDigits() {
        let post = "POST /u HTTP/1.1\r\nHost: h\r\n"
        #expect(status(post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc") == 200)
        #expect(status(post + "Content-Length: 3, 3\r\n\r\nabc") == 200)
        #expect(status(post + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") == 400)
        #expect(status(post + "Content-Length: 3, 4\r\n\r\nabcd") == 400)
        for bad in ["+3", "-1", "0x3", "3a", "", " ", "3 3", "3,", "1e3"] {
            #expect(status(post + "Content-Length: \(bad)\r\n\r\nabc") == 400, "Content-Length \"\(bad)\"")
        }
    }

    // MARK: Request line

    @Test func version_otherThan10or11_is505_andGarbageIs400() {
        #expect(status("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == 505)
        #expect(status("GET / HTTP/1.2\r\nHost: h\r\n\r\n") == 505)
        #expect(status("GET / HTTP/0.9\r\nHost: h\r\n\r\n") == 505)
        #expect(status("GET / HTTX/1.1\r\nHost: h\r\n\r\n") == 400)
        #expect(status("GET / http/1.1\r\nHost: h\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.10\r\nHost: h\r\n\r\n") == 400)
        #expect(status("GET /\r\nHost: h\r\n\r\n") == 400)
    }

    @Test func unknownMethod_is501_andMalformedLineIs400() {
        #expect(status("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n") == 501)
        #expect(status("get / HTTP/1.1\r\nHost: h\r\n\r\n") == 501)
        #expect(status("CONNECT example:443 HTTP/1.1\r\nHost: h\r\n\r\n") == 501)
        #expect(status("GET  / HTTP/1.1\r\nHost: h\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1 \r\nHost: h\r\n\r\n") == 400)
        #expect(status("G(T / HTTP/1.1\r\nHost: h\r\n\r\n") == 400)
        #expect(status("GET relative HTTP/1.1\r\nHost: h\r\n\r\n") == 400)
        #expect(status("GET * HTTP/1.1\r\nHost: h\r\n\r\n") == 400)
        #expect(status("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") == 200)
    }

    @Test func absoluteFormTarget_yieldsPathAndQuery() throws {
        let request = try #require(
            try parseOne("GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")?.get())
        #expect(request.target == "http://example.com:8080/a/b?x=1")
        #expect(request.path == "/a/b")
        #expect(request.queryValue("x") == "1")
        let bare = try #require(try parseOne("GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")?.get())
        #expect(bare.path == "/")
    }

    @Test func query_isPercentDecoded_withPlusAsSpace() throws {
        let request = try #require(
            try parseOne(
                "GET /p%20q?a=%41%20b+c&empty&k=%zz&%3D=%26&u=%C3%A9 HTTP/1.1\r\nHost: h\r\n\r\n")?.get())
        #expect(request.path == "/p%20q")
        #expect(request.query.map(\.name) == ["a", "empty", "k", "=", "u"])
        #expect(request.query.map(\.value) == ["A b c", "", "%zz", "&", "é"])
    }

    @Test func parser_staysFailed_afterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.nextRequest() }
        #expect(throws: HTTPParseError.self) { try parser.nextRequest() }
    }

    @Test func keepAlive_followsVersionAndConnectionHeader() throws {
        func keepAlive(_ text: String) throws -> Bool { try #require(try parseOne(text)?.get()).wantsKeepAlive }
        #expect(try keepAlive("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.0\r\n\r\n"))
        #expect(try keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
    }
}
