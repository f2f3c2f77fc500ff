/// Why a request could not be read. Every case leaves the byte stream unsynchronised, so the server
/// answers with ``status`` and closes the connection.
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedRequestLine(String)
    case malformedHeader(String)
    case requestLineTooLong(limit: Int)
    case headerBytesExceeded(limit: Int)
    case headerCountExceeded(limit: Int)
    case bodyTooLarge(contentLength: UInt64, limit: Int)
    case invalidContentLength(String)
    /// Both `Content-Length` and `Transfer-Encoding` present: a request-smuggling vector (RFC 9112 §6.1).
    case conflictingFraming
    case unsupportedTransferEncoding(String)
    case unsupportedVersion(String)
    case methodNotImplemented(String)
    case missingHost
    case headReadTimedOut

    public var status: HTTPStatus {
        switch self {
        case .malformedRequestLine, .malformedHeader, .invalidContentLength, .conflictingFraming, .missingHost:
            .badRequest
        case .requestLineTooLong: .uriTooLong
        case .headerBytesExceeded, .headerCountExceeded: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedTransferEncoding, .methodNotImplemented: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        case .headReadTimedOut: .requestTimeout
        }
    }

    public var description: String {
        switch self {
        case .malformedRequestLine(let why): "malformed request line: \(why)"
        case .malformedHeader(let why): "malformed header field: \(why)"
        case .requestLineTooLong(let limit): "request line longer than \(limit) bytes"
        case .headerBytesExceeded(let limit): "header fields larger than \(limit) bytes"
        case .headerCountExceeded(let limit): "more than \(limit) header fields"
        case .bodyTooLarge(let length, let limit): "body of \(length) bytes exceeds the \(limit)-byte limit"
        case .invalidContentLength(let value): "invalid Content-Length \"\(value)\""
        case .conflictingFraming: "both Content-Length and Transfer-Encoding present"
        case .unsupportedTransferEncoding(let value): "unsupported Transfer-Encoding \"\(value)\""
        case .unsupportedVersion(let version): "unsupported protocol version \"\(version)\""
        case .methodNotImplemented(let method): "method \"\(method)\" not implemented"
        case .missingHost: "HTTP/1.1 request without exactly one Host header"
        case .headReadTimedOut: "request not received within the head-read timeout"
        }
    }
}
