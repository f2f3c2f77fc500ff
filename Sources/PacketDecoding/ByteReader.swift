import LanscopeCore

/// The one bounds-checked cursor every decoder reads through. Reads are big-endian (network
/// order), advance the cursor, and throw `DecodeError.truncated` instead of reading past the end.
///
/// The reader borrows its bytes: it must not outlive the buffer it was made from.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read, from the start of `bytes`.
    public private(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = max(0, min(offset, bytes.count))
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    func check(_ count: Int) throws(DecodeError) {
        guard count >= 0, count <= bytes.count - offset else {
            throw .truncated(offset: offset, needed: count, available: bytes.count - offset)
        }
    }

    /// Big-endian values at `offset + ahead`, for a decoder that has checked (`check`) that a whole
    /// fixed header is there: one bounds check for the header instead of one per field.
    @inline(__always)
    func uncheckedUInt8(at ahead: Int) -> UInt8 {
        bytes.load(fromByteOffset: offset + ahead, as: UInt8.self)
    }

    @inline(__always)
    func uncheckedUInt16(at ahead: Int) -> UInt16 {
        UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + ahead, as: UInt16.self))
    }

    @inline(__always)
    func uncheckedUInt32(at ahead: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + ahead, as: UInt32.self))
    }

    @inline(__always)
    func uncheckedMAC(at ahead: Int) -> MACAddress {
        MACAddress(rawValue: UInt64(uncheckedUInt16(at: ahead)) << 32 | UInt64(uncheckedUInt32(at: ahead + 2)))
    }

    /// Moves the cursor past `count` bytes already checked to be there.
    @inline(__always)
    mutating func advanceUnchecked(_ count: Int) {
        offset += count
    }

    @inline(__always)
    public mutating func readUInt8() throws(DecodeError) -> UInt8 {
        try check(1)
        let value = bytes.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        return value
    }

    @inline(__always)
    public mutating func readUInt16() throws(DecodeError) -> UInt16 {
        try check(2)
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        offset += 2
        return UInt16(bigEndian: value)
    }

    @inline(__always)
    public mutating func readUInt32() throws(DecodeError) -> UInt32 {
        try check(4)
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(bigEndian: value)
    }

    @inline(__always)
    public mutating func readUInt64() throws(DecodeError) -> UInt64 {
        try check(8)
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(bigEndian: value)
    }

    /// Six octets as a MAC address.
    @inline(__always)
    public mutating func readMAC() throws(DecodeError) -> MACAddress {
        try check(6)
        let high = UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        let low = UInt64(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self)))
        offset += 6
        return MACAddress(rawValue: high << 32 | low)
    }

    @inline(__always)
    public mutating func readIPv4() throws(DecodeError) -> IPv4Address {
        IPv4Address(rawValue: try readUInt32())
    }

    @inline(__always)
    public mutating func readIPv6() throws(DecodeError) -> IPv6Address {
        try check(16)
        let high = try readUInt64()
        let low = try readUInt64()
        return IPv6Address(high: high, low: low)
    }

    /// A view of the next `count` bytes (no copy); the cursor moves past them.
    public mutating func readBuffer(_ count: Int) throws(DecodeError) -> UnsafeRawBufferPointer {
        try check(count)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    /// A copy of the next `count` bytes.
    public mutating func readBytes(_ count: Int) throws(DecodeError) -> [UInt8] {
        Array(try readBuffer(count))
    }

    public mutating func skip(_ count: Int) throws(DecodeError) {
        try check(count)
        offset += count
    }

    /// Moves the cursor to an absolute offset inside the buffer (used by DNS name pointers).
    public mutating func seek(to newOffset: Int) throws(DecodeError) {
        guard newOffset >= 0, newOffset <= bytes.count else {
            throw .truncated(offset: newOffset, needed: 0, available: 0)
        }
        offset = newOffset
    }

    /// The rest of the buffer (no copy); the cursor moves to the end.
    public mutating func readRemaining() -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        offset = bytes.count
        return slice
    }

    /// A reader over the next `count` bytes only; this reader moves past them.
    public mutating func subReader(_ count: Int) throws(DecodeError) -> ByteReader {
        ByteReader(try readBuffer(count))
    }

    /// Up to `count` of the next bytes, without moving (fewer near the end).
    public func peekRemaining(upTo count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + max(count, 0))])
    }

    /// The byte at `offset + ahead` without moving, or `nil` past the end.
    @inline(__always)
    public func peekUInt8(ahead: Int = 0) -> UInt8? {
        let index = offset + ahead
        guard ahead >= 0, index < bytes.count else { return nil }
        return bytes.load(fromByteOffset: index, as: UInt8.self)
    }
}

extension Array where Element == UInt8 {
    /// Runs a typed-throwing decoder over the array's bytes (`withUnsafeBytes` itself rethrows untyped).
    func decode<T>(_ body: (UnsafeRawBufferPointer) throws(DecodeError) -> T) throws(DecodeError) -> T {
        let result: Result<T, DecodeError> = withUnsafeBytes { buffer in
            do throws(DecodeError) {
                return .success(try body(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
