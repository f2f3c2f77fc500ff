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
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var entries: [Key: Entry] = [:]
    private var counts = Statistics()

    init(lifetime: Duration = .zero) {
        let (seconds, attoseconds) = lifetime.components
        lifetimeNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    var statistics: Statistics {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return counts
    }

    /// Requests waiting for the render of `key` in progress (tests).
    func waiting(for key: Key) -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return entries[key]?.waiting ?? 0
    }

    /// The value for `key`: the render in progress (waited for), a finished one younger than `lifetime`,
    /// or a new render made by this caller. `render` runs without the lock held.
    func value(for key: Key, render: () -> Value) -> Value {
        pthread_mutex_lock(mutex)
        var entry = entries[key, default: Entry()]
        if entry.rendering {
            let awaited = entry.generation + 1
            entries[key]!.waiting += 1
            while entries[key]!.generation < awaited { pthread_cond_wait(condition, mutex) }
            entries[key]!.waiting -= 1
            let value = entries[key]!.value!
            if entries[key]!.waiting == 0 && lifetimeNanoseconds == 0 && !entries[key]!.rendering {
                entries[key]!.value = nil
            }
            counts.shared += 1
            pthread_mutex_unlock(mutex)
            return value
        }
        if let value = entry.value, Self.now() - entry.finishedAt < lifetimeNanoseconds {
            counts.shared += 1
            pthread_mutex_unlock(mutex)
            return value
        }
        entry.rendering = true
        entries[key] = entry
        counts.renders += 1
        pthread_mutex_unlock(mutex)

        let value = render()

        pthread_mutex_lock(mutex)
        entries[key]!.rendering = false
        entries[key]!.generation += 1
        entries[key]!.finishedAt = Self.now()
        // Keep the value only for those waiting (and for `lifetime`), so an idle server holds no copy.
        entries[key]!.value = entries[key]!.waiting > 0 || lifetimeNanoseconds > 0 ? value : nil
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(condition)
        return value
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
