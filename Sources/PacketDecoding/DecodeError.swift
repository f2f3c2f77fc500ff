/// Why a decoder rejected its input. Cases carry no heap data so the error path of the per-frame
/// decoder stays allocation-free.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes remain than a field needs.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A length or count field contradicts the data around it.
    case invalidLength(field: StaticString, value: Int)
    /// A field holds a value the format forbids.
    case invalidValue(field: StaticString, value: Int)
    /// A DNS name broke one of the decompression limits (pointer hops, total length, label type).
    case invalidName(reason: StaticString)
    /// A text protocol message did not have the expected shape.
    case malformedText(reason: StaticString)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, available):
            return "truncated: needed \(needed) bytes at offset \(offset), \(available) available"
        case let .invalidLength(field, value):
            return "invalid \(field) length \(value)"
        case let .invalidValue(field, value):
            return "invalid \(field) value \(value)"
        case let .invalidName(reason):
            return "invalid DNS name: \(reason)"
        case let .malformedText(reason):
            return "malformed message: \(reason)"
        }
    }

    public static func == (lhs: DecodeError, rhs: DecodeError) -> Bool {
        switch (lhs, rhs) {
        case let (.truncated(a, b, c), .truncated(d, e, f)): return a == d && b == e && c == f
        case let (.invalidLength(a, b), .invalidLength(c, d)): return a.description == c.description && b == d
        case let (.invalidValue(a, b), .invalidValue(c, d)): return a.description == c.description && b == d
        case let (.invalidName(a), .invalidName(b)): return a.description == b.description
        case let (.malformedText(a), .malformedText(b)): return a.description == b.description
        default: return false
        }
    }

    /// True for the short-input case, which a snap length alone can cause.
    public var isTruncation: Bool {
        if case .truncated = self { return true }
        return false
    }
}
