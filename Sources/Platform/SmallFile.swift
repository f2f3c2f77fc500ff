#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file whole (a configuration, a token, a user list, a registry), with the system's reason
/// when it cannot: the callers put the path and that reason in their own error.
public enum SmallFile {
    public enum Failure: Error, Equatable {
        /// `open` or `read` failed with this errno (`EISDIR` for a directory).
        case unreadable(errno: Int32)
        /// The file holds `bytes` bytes (at least), more than `limit`.
        case tooLarge(bytes: Int, limit: Int)

        /// `No such file or directory (errno 2)`, `larger than 1048576 bytes`.
        public var reason: String {
            switch self {
            case .unreadable(let code): errnoText(code)
            case .tooLarge(_, let limit): "larger than \(limit) bytes"
            }
        }
    }

    /// The file's bytes, at most `limit` of them (default 1 MiB).
    public static func read(_ path: String, limit: Int = 1 << 20) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(errno: errno)) }
        defer { close(fd) }
        var status = stat()
        let size = fstat(fd, &status) == 0 && status.st_mode & S_IFMT == S_IFREG ? Int(status.st_size) : 0
        guard size <= limit else { return .failure(.tooLarge(bytes: size, limit: limit)) }
        // Sized by fstat but read to the end, so a file that changes underneath still reads whole; a page
        // more than the size, so the read that finds the end does not grow the buffer first.
        var bytes = [UInt8](repeating: 0, count: size + 4096)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard filled <= limit else { return .failure(.tooLarge(bytes: filled, limit: limit)) }
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errno: errno))
            }
            if count == 0 { break }
            filled += count
        }
        guard filled <= limit else { return .failure(.tooLarge(bytes: filled, limit: limit)) }
        bytes.removeSubrange(filled...)
        return .success(bytes)
    }
}
