#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point on the monotonic clock, in nanoseconds. Pure code takes it as a parameter; only the transport
/// reads the clock.
@_spi(Fuzzing) public struct ServerInstant: Sendable, Comparable, Hashable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: ServerInstant, b: ServerInstant) -> Bool { a.nanoseconds < b.nanoseconds }

    public func advanced(by duration: Duration) -> ServerInstant {
        let (seconds, attoseconds) = duration.components
        let delta = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !delta.overflow else { return ServerInstant(nanoseconds: .max) }
        let (sum, overflow) = nanoseconds.addingReportingOverflow(delta.partialValue + attoseconds / 1_000_000_000)
        return ServerInstant(nanoseconds: overflow ? .max : sum)
    }

    /// Milliseconds from `self` until `later`, rounded up, at least 0.
    func milliseconds(until later: ServerInstant) -> Int64 {
        let difference = later.nanoseconds &- nanoseconds
        return difference <= 0 ? 0 : (difference + 999_999) / 1_000_000
    }

    static func now() -> ServerInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return ServerInstant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}
