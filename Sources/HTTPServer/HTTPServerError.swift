/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidListenAddress(String, reason: String)
    case addressInUse(String)
    case socket(SocketError, address: String)
    case alreadyStarted
    case invalidConfiguration(String)
    /// The TLS settings or their files cannot be used (the message names file, setting and problem).
    case tls(TLSConfigurationError)

    public var description: String {
        switch self {
        case .invalidListenAddress(let address, let reason): "invalid listen address \"\(address)\": \(reason)"
        case .addressInUse(let address): "cannot listen on \(address): address already in use"
        case .socket(let error, let address): "cannot listen on \(address): \(error)"
        case .alreadyStarted: "server already started"
        case .invalidConfiguration(let reason): "invalid server configuration: \(reason)"
        case .tls(let error): error.description
        }
    }
}
