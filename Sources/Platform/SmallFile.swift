#if canImport(Glibc)
    import Glibc
#endif

/// Reads a small file (a configuration, a token, a user list) whole, with the system's reason when it
/// cannot: the callers put the path and that reason in their own error.
public enum SmallFile {
    public enum Failure: Error, Equatable {
        /// `open` or `read` failed with this errno.
        case unreadable(errno: Int32)
        /// The file holds more than the limit.
        case tooLarge(limit: Int)

        /// `No such file or directory (errno 2)`, `larger than 1048576 bytes`.
        public var reason: String {
            switch self {
            case .unreadable(let code): "\(String(cString: strerror(code))) (errno \(code))"
            case .tooLarge(let limit): "larger than \(limit) bytes"
            }
        }
    }

    /// The file's bytes, at most `limit` of them (default 1 MiB).
    public static func read(_ path: String, limit: Int = 1 << 20) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(errno: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errno: errno))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[..<count])
        }
        return .failure(.tooLarge(limit: limit))
    }
}
