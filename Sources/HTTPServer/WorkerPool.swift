#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of threads taking jobs from one FIFO queue. Jobs never run on the event-loop thread.
final class WorkerPool<Job: Sendable>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var queue: [Job?] = []
    private var head = 0
    private var stopping = false
    private var threads: [pthread_t] = []

    /// Starts `count` threads, each with its own `State` (e.g. a response encoder with its date cache).
    init<State>(
        count: Int, makeState: @escaping @Sendable () -> State,
        process: @escaping @Sendable (Job, inout State) -> Void
    ) throws(SocketError) {
        for _ in 0..<max(1, count) {
            threads.append(
                try PosixThread.start { [self] in
                    var state = makeState()
                    while let job = self.take() { process(job, &state) }
                })
        }
    }

    func submit(_ job: Job) {
        lock.lock()
        queue.append(job)
        lock.unlock()
        lock.signal()
    }

    /// Lets queued jobs finish, then ends the threads. Does not wait for them.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        lock.broadcast()
    }

    func join() {
        for thread in threads { PosixThread.join(thread) }
    }

    private func take() -> Job? {
        lock.lock()
        defer { lock.unlock() }
        while head == queue.count {
            if stopping { return nil }
            lock.wait()
        }
        let job = queue[head]
        queue[head] = nil
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }
}
