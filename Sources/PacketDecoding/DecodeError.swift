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
        case .truncated(let offset, let needed, let available):
            return "truncated: needed \(needed) bytes at offset \(offset), \(available) available"
        case .invalidLength(let field, let value):
            return "invalid \(field) length \(value)"
        case .invalidValue(let field, let value):
            return "invalid \(field) value \(value)"
        case .invalidName(let reason):
            return "invalid DNS name: \(reason)"
        case .malformedText(let reason):
            return "malformed message: \(reason)"
        }
    }

    public static func == (lhs: DecodeError, rhs: DecodeError) -> Bool {
        switch (lhs, rhs) {
        case (.truncated(let a, let b, let c), .truncated(let d, let e, let f)): return a == d && b == e && c == f
        case (.invalidLength(let a, let b), .invalidLength(let c, let d)):
            return a.description == c.description && b == d
        case (.invalidValue(let a, let b), .invalidValue(let c, let d)): return a.description == c.description && b == d
        case (.invalidName(let a), .invalidName(let b)): return a.description == b.description
        case (.malformedText(let a), .malformedText(let b)): return a.description == b.description
        default: return false
        }
    }

    /// True for the short-input case, which a snap length alone can cause.
    public var isTruncation: Bool {
        if case .truncated = self { return true }
        return false
    }
}
