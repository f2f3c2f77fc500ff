internal import CLinux

/// Allocator settings for a long-running `lanscope run`.
///
/// Every scrape of a large LAN builds megabytes of short-lived buffers (at 10,000 devices: the
/// kernel table's ~4 MB of counters, ~1.5 MB of sample lines, the response body). With glibc's
/// defaults those blocks are mmapped or trimmed off the heap when freed, so the next scrape
/// page-faults the same memory back in — about a quarter of a 10,000-device eBPF scrape
/// (Tests/Benchmarks/RESULTS.md). Fixing the mmap threshold at its maximum and raising the trim
/// threshold keeps them in the heap for reuse; the cost is that resident memory stays at the
/// scrape's working set between scrapes instead of dropping after each one.
public enum ScrapeMemory {
    /// Blocks up to this size come from the heap (glibc's ceiling for `M_MMAP_THRESHOLD` on 64-bit).
    public static let mmapThreshold: Int32 = 32 << 20
    /// Free memory at the top of a heap is returned to the kernel only beyond this.
    public static let trimThreshold: Int32 = 256 << 20

    /// Applies the settings to this process (idempotent); false when the allocator refused them.
    @discardableResult
    public static func retainAcrossScrapes() -> Bool {
        mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1
    }
}
