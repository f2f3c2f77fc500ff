import LanscopeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Converts the kernel side's CLOCK_MONOTONIC readings to wall-clock time: `bpf_ktime_get_ns()` for
/// handed-up frames, the tick-resolution `bpf_ktime_get_coarse_ns()` (same time base, at most one
/// tick behind) for per-device last-seen times.
///
/// Monotonic rather than `bpf_ktime_get_tai_ns()`: it needs no TAI−UTC offset, which is only right
/// when a time daemon has set it. The offset between the two clocks is sampled at each conversion
/// batch, so wall-clock steps (NTP) apply from then on.
struct KernelTime {
    let monotonicNow: Int64
    let realtimeMinusMonotonic: Int64

    init() {
        var monotonic = timespec()
        var realtime = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        clock_gettime(CLOCK_REALTIME, &realtime)
        monotonicNow = Int64(monotonic.tv_sec) * 1_000_000_000 + Int64(monotonic.tv_nsec)
        let realtimeNow = Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec)
        realtimeMinusMonotonic = realtimeNow - monotonicNow
    }

    func wallClock(kernelNanoseconds: UInt64) -> Timestamp {
        Timestamp(nanoseconds: Int64(truncatingIfNeeded: kernelNanoseconds) &+ realtimeMinusMonotonic)
    }
}
