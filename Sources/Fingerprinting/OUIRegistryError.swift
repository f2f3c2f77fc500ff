/// Why a vendor registry file or directory could not be loaded. Every case names the path.
public enum OUIRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing exists at the path.
    case notFound(path: String)
    /// The path exists but could not be opened or read (`errno` from the failing call).
    case unreadable(path: String, errno: Int32)
    /// The file is larger than `OUIRegistry.maximumFileBytes`.
    case tooLarge(path: String, bytes: Int)
    /// The file is neither the IEEE CSV nor the text format, or most of its rows are malformed.
    case garbled(path: String, validRows: Int, malformedRows: Int)
    /// A directory holding none of `OUIRegistry.registryFileNames`.
    case noRegistryFiles(directory: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "vendor registry \(path): no such file or directory"
        case .unreadable(let path, let code):
            return "vendor registry \(path): cannot read (errno \(code))"
        case .tooLarge(let path, let bytes):
            return
                "vendor registry \(path): \(bytes) bytes is larger than the \(OUIRegistry.maximumFileBytes)-byte limit"
        case .garbled(let path, let valid, let malformed):
            return "vendor registry \(path): not an IEEE registry file (\(valid) valid rows, \(malformed) malformed)"
        case .noRegistryFiles(let directory):
            return "vendor registry directory \(directory) holds none of "
                + OUIRegistry.registryFileNames.map(\.csv).joined(separator: ", ")
        }
    }
}
