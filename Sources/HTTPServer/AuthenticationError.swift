#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why authentication settings could not be loaded.
public enum AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, errno: Int32)
    case fileTooLarge(path: String)
    case invalidUsersFile(path: String, line: Int, reason: String)
    case unsupportedHash(user: String)
    case emptyBearerToken
    case nothingConfigured

    public var description: String {
        switch self {
        case .unreadableFile(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
        case .fileTooLarge(let path): "\(path) is larger than 1 MiB"
        case .invalidUsersFile(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .unsupportedHash(let user): "password hash of user \"\(user)\" is not bcrypt ($2y$, $2b$ or $2a$)"
        case .emptyBearerToken: "bearer token is empty"
        case .nothingConfigured: "authentication needs basic_auth_users or a bearer token"
        }
    }
}
