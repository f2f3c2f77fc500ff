#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads for the registry loader, with errors naming the path.
enum FileBytes {
    enum Kind { case file, directory }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func kind(of path: String) throws(OUIRegistryError) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            throw code == ENOENT || code == ENOTDIR ? .notFound(path: path) : .unreadable(path: path, errno: code)
        }
        return info.st_mode & S_IFMT == S_IFDIR ? .directory : .file
    }

    static func read(_ path: String) throws(OUIRegistryError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw code == ENOENT ? .notFound(path: path) : .unreadable(path: path, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, errno: errno) }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw .unreadable(path: path, errno: EISDIR) }
        let size = Int(info.st_size)
        guard size <= OUIRegistry.maximumFileBytes else { throw .tooLarge(path: path, bytes: size) }

        // Sized by fstat but read to EOF, so a file that changes underneath still reads consistently;
        // a page more than the size, so the read that finds the end does not double the buffer first.
        var bytes = [UInt8](repeating: 0, count: size + 4096)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count < OUIRegistry.maximumFileBytes else {
                    throw .tooLarge(path: path, bytes: bytes.count)
                }
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, errno: errno)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}

/// `read(2)`, named apart from `FileBytes.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
