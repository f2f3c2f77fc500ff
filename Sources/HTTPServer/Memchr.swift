#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The address of the first `byte` in `count` bytes from `base`, using libc's vectorised `memchr`.
@inline(__always)
func memchrBytes(_ base: UnsafePointer<UInt8>, _ byte: UInt8, _ count: Int) -> UnsafePointer<UInt8>? {
    guard let found = memchr(base, Int32(byte), count) else { return nil }
    return UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
}
