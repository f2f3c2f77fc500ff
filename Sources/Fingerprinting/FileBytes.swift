import Platform

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
        switch SmallFile.read(path, limit: OUIRegistry.maximumFileBytes) {
        case .success(let bytes): return bytes
        case .failure(.unreadable(let code)):
            throw code == ENOENT ? .notFound(path: path) : .unreadable(path: path, errno: code)
        case .failure(.tooLarge(let bytes, _)): throw .tooLarge(path: path, bytes: bytes)
        }
    }
}
