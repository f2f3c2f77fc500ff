/// Why a procfs source could not be used.
public enum ProcessMetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// open/read/opendir failed with `errno`.
    case unreadable(path: String, errno: Int32)
    /// The file exceeded the read cap (bytes).
    case tooLarge(path: String, limit: Int)
    /// The content did not have the expected shape.
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let errno): "cannot read \(path): errno \(errno)"
        case .tooLarge(let path, let limit): "\(path) is larger than \(limit) bytes"
        case .malformed(let path, let reason): "\(path): \(reason)"
        }
    }
}
