#if canImport(Glibc)
    import Glibc
#endif

/// A value computed on a helper thread while the caller goes on with work that does not need it;
/// `take()` waits for it. When the thread cannot start (or `threaded` is false) the value is computed
/// by `take()` on the caller's thread instead: the result is the same either way, only where the work
/// runs changes.
public final class ThreadedValue<Value: Sendable>: @unchecked Sendable {
    /// Where the helper leaves the value: written before the helper ends, read only after
    /// `pthread_join`, which orders the two. The helper holds this box, not the `ThreadedValue`, so the
    /// object is always released (and its `deinit` joins) on its owner's thread.
    private final class Slot: @unchecked Sendable {
        var value: Value?
    }

    private let slot = Slot()
    private let compute: @Sendable () -> Value
    private var thread: pthread_t?

    /// Starts `compute` on a thread named `name` when `threaded` (default true).
    public init(name: String, threaded: Bool = true, _ compute: @escaping @Sendable () -> Value) {
        self.compute = compute
        guard threaded else { return }
        let slot = self.slot
        thread = try? POSIXThread.start(name: name) { slot.value = compute() }
    }

    /// Whether the value is being computed on a helper thread (tests check the path they compare ran).
    public var isThreaded: Bool { thread != nil }

    /// The value; waits for the helper thread if one runs. Call once.
    public func take() -> Value {
        if let thread {
            POSIXThread.join(thread)
            self.thread = nil
            if let value = slot.value { return value }
        }
        return compute()
    }

    deinit {
        // An owner that never took the value (it failed first) still waits for its helper.
        if let thread { POSIXThread.join(thread) }
    }
}
