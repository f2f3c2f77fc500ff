/// A value bound to a statement parameter. Unsigned 64-bit counters are stored as their two's
/// complement bit pattern (`SQLiteValue.counter`) because SQLite integers are signed.
enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    static func optionalInteger<I: BinaryInteger>(_ value: I?) -> SQLiteValue {
        value.map { .integer(Int64($0)) } ?? .null
    }
    static func counter(_ value: UInt64) -> SQLiteValue { .integer(Int64(bitPattern: value)) }
    static func bool(_ value: Bool) -> SQLiteValue { .integer(value ? 1 : 0) }
}
