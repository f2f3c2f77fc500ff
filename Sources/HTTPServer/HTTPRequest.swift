/// One parsed request as handlers see it.
public struct HTTPRequest: Sendable {
    /// The method token exactly as sent (methods are case-sensitive, RFC 9110 §9.1).
    public var method: String
    /// The request target exactly as sent (origin-form `/a?b` or absolute-form `http://h/a?b`).
    public var target: String
    /// The raw path of the target, without query; not percent-decoded.
    public var path: String
    /// Query parameters in order, percent-decoded, `+` read as space.
    public var query: [(name: String, value: String)]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body; empty for GET and HEAD (a body sent with them is read and discarded).
    public var body: [UInt8]
    /// The peer as `address:port` (`[v6]:port` for IPv6); empty when not known.
    public var remoteAddress: String

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], remoteAddress: String = "") {
        self.method = method
        self.target = target
        let split = RequestTarget.split(Array(target.utf8))
        self.path = split.path
        self.query = split.query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    init(method: String, target: String, path: String, query: [(name: String, value: String)], version: HTTPVersion,
         headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = ""
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// Whether the connection may stay open after this request (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        switch version {
        case .http1_1: !headers.containsToken("close", in: "Connection")
        case .http1_0: headers.containsToken("keep-alive", in: "Connection")
                && !headers.containsToken("close", in: "Connection")
        }
    }
}

/// Splits a request target into path and decoded query (RFC 9112 §3.2).
enum RequestTarget {
    static func split(_ target: [UInt8]) -> (path: String, query: [(name: String, value: String)]) {
        var bytes = target[...]
        if let fragment = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes = bytes[..<fragment] }
        // absolute-form: drop "scheme://authority" and keep the path (RFC 9112 §3.2.2).
        if bytes.first != UInt8(ascii: "/"), let schemeEnd = firstIndex(of: Array("://".utf8), in: bytes) {
            let authorityStart = schemeEnd + 3
            let rest = bytes[authorityStart...]
            if let pathStart = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                bytes = bytes[pathStart...]
            } else {
                bytes = [][...]
            }
        }
        let queryStart = bytes.firstIndex(of: UInt8(ascii: "?"))
        var pathBytes = queryStart.map { bytes[..<$0] } ?? bytes
        if pathBytes.isEmpty { pathBytes = [UInt8(ascii: "/")][...] }
        let path = String(decoding: pathBytes, as: UTF8.self)
        guard let queryStart else { return (path, []) }
        return (path, parseQuery(bytes[(queryStart + 1)...]))
    }

    static func parseQuery(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                result.append((ASCII.percentDecoded(pair[..<equals], plusAsSpace: true),
                               ASCII.percentDecoded(pair[(equals + 1)...], plusAsSpace: true)))
            } else {
                result.append((ASCII.percentDecoded(pair, plusAsSpace: true), ""))
            }
        }
        return result
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            if haystack[index] == UInt8(ascii: "/") { return nil }
            index += 1
        }
        return nil
    }
}
