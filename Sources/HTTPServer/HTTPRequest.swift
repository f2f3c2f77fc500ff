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

    public init(
        method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], remoteAddress: String = ""
    ) {
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

    init(
        method: String, target: String, path: String, query: [(name: String, value: String)], version: HTTPVersion,
        headers: HTTPHeaders, body: [UInt8]
    ) {
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
        case .http1_0:
            headers.containsToken("keep-alive", in: "Connection")
                && !headers.containsToken("close", in: "Connection")
        }
    }
}
