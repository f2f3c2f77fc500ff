/// What the server reports to its observer once per response, e.g. to count
/// `http_requests_total{route,code}`.
public struct RequestLogRecord: Sendable {
    /// The route's stable name, or `"other"` when no route matched (404, parse errors, 503).
    public var route: String
    /// The request method, or `"other"` when the request could not be parsed.
    public var method: String
    public var statusCode: Int
    public var remoteAddress: String
    /// Time from dispatch to the encoded response, in nanoseconds; 0 for errors answered by the transport.
    public var handlerNanoseconds: Int64

    public init(route: String, method: String, statusCode: Int, remoteAddress: String, handlerNanoseconds: Int64) {
        self.route = route
        self.method = method
        self.statusCode = statusCode
        self.remoteAddress = remoteAddress
        self.handlerNanoseconds = handlerNanoseconds
    }
}
