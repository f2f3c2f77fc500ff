import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// One rendering shared by every request for the same variant that arrives while it is being made.
///
/// Concurrent scrapers (several Prometheus servers, or a burst of clients that never read) each used to
/// render and hold their own copy of a multi-megabyte `/metrics` body. Requests that find a render of
/// their variant in progress now wait for it and get the same immutable buffer — one render's CPU, one
/// buffer in memory (the HTTP server counts a shared body once against its pending-response budget).
/// With `lifetime` zero (the default) nothing is ever served that was finished before the request arrived;
/// a positive `lifetime` also serves a finished render that young.
final class SharedRender<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        var rendering = false
        /// Bumped each time a render finishes, so a waiter knows the one it waited for is done.
        var generation: UInt64 = 0
        var value: Value?
        var finishedAt: Int64 = 0
        /// Requests waiting for the render in progress; the value is dropped once they have it.
        var waiting = 0
    }

    /// How many renders ran, and how many requests were served another request's render.
    struct Statistics: Sendable, Equatable {
        var renders: UInt64 = 0
        var shared: UInt64 = 0
    }

    private let lifetimeNanoseconds: Int64
    private let lock = ConditionLock()
    private var entries: [Key: Entry] = [:]
    private var counts = Statistics()

    init(lifetime: Duration = .zero) {
        let (seconds, attoseconds) = lifetime.components
        lifetimeNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    /// Requests waiting for the render of `key` in progress (tests).
    func waiting(for key: Key) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return entries[key]?.waiting ?? 0
    }

    /// The value for `key`: the render in progress (waited for), a finished one younger than `lifetime`,
    /// or a new render made by this caller. `render` runs without the lock held.
    func value(for key: Key, render: () -> Value) -> Value {
        lock.lock()
        var entry = entries[key, default: Entry()]
        if entry.rendering {
            let awaited = entry.generation + 1
            entries[key]!.waiting += 1
            while entries[key]!.generation < awaited { lock.wait() }
            entries[key]!.waiting -= 1
            let value = entries[key]!.value!
            if entries[key]!.waiting == 0 && lifetimeNanoseconds == 0 && !entries[key]!.rendering {
                entries[key]!.value = nil
            }
            counts.shared += 1
            lock.unlock()
            return value
        }
        if let value = entry.value, Self.now() - entry.finishedAt < lifetimeNanoseconds {
            counts.shared += 1
            lock.unlock()
            return value
        }
        entry.rendering = true
        entries[key] = entry
        counts.renders += 1
        lock.unlock()

        let value = render()

        lock.lock()
        entries[key]!.rendering = false
        entries[key]!.generation += 1
        entries[key]!.finishedAt = Self.now()
        // Keep the value only for those waiting (and for `lifetime`), so an idle server holds no copy.
        entries[key]!.value = entries[key]!.waiting > 0 || lifetimeNanoseconds > 0 ? value : nil
        lock.unlock()
        lock.broadcast()
        return value
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
