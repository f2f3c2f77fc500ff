/// Why a gzip operation failed.
public enum GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Levels are 0...9.
    case invalidLevel(Int32)
    /// zlib counts input in 32 bits; larger buffers are refused.
    case inputTooLarge(Int)
    /// Decompressing would exceed the given cap (bytes).
    case outputTooLarge(Int)
    /// The gzip stream ended before its trailer.
    case truncated
    /// A zlib call returned an error status (zlib.h `Z_*` codes).
    case zlib(operation: String, status: Int32)

    public var description: String {
        switch self {
        case .invalidLevel(let level): "gzip level \(level) outside 0...9"
        case .inputTooLarge(let count): "gzip input of \(count) bytes exceeds zlib's 4 GiB limit"
        case .outputTooLarge(let cap): "gzip output would exceed the cap of \(cap) bytes"
        case .truncated: "gzip stream truncated"
        case .zlib(let operation, let status): "zlib \(operation) failed with status \(status)"
        }
    }
}
