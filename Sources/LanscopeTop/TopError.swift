/// What `lanscope top` reports instead of a screen, or on its status line while it retries.
public enum TopError: Error, Equatable, Sendable, CustomStringConvertible {
    case badURL(String, String)
    /// Name resolution, connect, send or receive failed (errno text).
    case connection(String)
    /// The server answered something that is not a well-formed HTTP/1.1 response.
    case protocolError(String)
    /// A status other than 200, with the server's `{"error": …}` or status line.
    case status(Int, String)
    /// The body is not the JSON or exposition expected.
    case badResponse(String)

    public var description: String {
        switch self {
        case .badURL(let url, let why): "bad --url \"\(url)\": \(why)"
        case .connection(let why): "connection failed: \(why)"
        case .protocolError(let why): "bad HTTP response: \(why)"
        case .status(401, _): "401 unauthorized: check --user and the password (--password-file or LANSCOPE_PASSWORD)"
        case .status(let code, let message): "HTTP \(code): \(message)"
        case .badResponse(let why): "unexpected response: \(why)"
        }
    }
}
