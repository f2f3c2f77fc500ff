#if canImport(Glibc)
    import Glibc
#endif

/// Small procfs reads. procfs reports size 0 for its files, so they are read until EOF, bounded.
enum ProcFile {
    struct Contents {
        var path: String
        var bytes: [UInt8]
    }

    /// - Parameter limit: read cap in bytes. Default 1 MiB (stat, limits are a few hundred bytes).
    static func read(_ path: String, limit: Int = 1 << 20) throws(ProcessMetricsError) -> Contents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, errno: errno)
            }
            if n == 0 { break }
            guard bytes.count + n <= limit else { throw .tooLarge(path: path, limit: limit) }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return Contents(path: path, bytes: bytes)
    }

    /// Entries of a directory other than `.` and `..`.
    static func countEntries(_ path: String) throws(ProcessMetricsError) -> Int {
        guard let directory = opendir(path) else { throw .unreadable(path: path, errno: errno) }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDotOrDotDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDotOrDotDot { count += 1 }
        }
        return count
    }
}
