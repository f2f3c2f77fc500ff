import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of threads taking jobs from two FIFO queues: prioritized jobs (e.g. scrapes) and the rest.
/// General threads take a prioritized job first; reserved threads take only prioritized jobs, so those
/// never wait behind a run of slow ordinary requests. Jobs never run on the event-loop thread.
final class WorkerPool<Job: Sendable>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var queues = [JobQueue(), JobQueue()]
    private var stopping = false
    private var threads: [pthread_t] = []

    private struct JobQueue {
        var jobs: [Job?] = []
        var head = 0

        var isEmpty: Bool { head == jobs.count }

        mutating func append(_ job: Job) { jobs.append(job) }

        mutating func removeFirst() -> Job? {
            let job = jobs[head]
            jobs[head] = nil
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    /// Starts `count` general threads and `reserved` threads for prioritized jobs only, each with its own
    /// `State` (e.g. a response encoder with its date cache).
    init<State>(
        count: Int, reserved: Int = 0, makeState: @escaping @Sendable () -> State,
        process: @escaping @Sendable (Job, inout State) -> Void
    ) throws(SocketError) {
        let general = max(1, count)
        for index in 0..<(general + max(0, reserved)) {
            let priorityOnly = index >= general
            threads.append(
                try startThread(name: priorityOnly ? "ls-http-scrape" : "ls-http-worker") { [self] in
                    var state = makeState()
                    while let job = self.take(priorityOnly: priorityOnly) { process(job, &state) }
                })
        }
    }

    func submit(_ job: Job, prioritized: Bool = false) {
        lock.lock()
        queues[prioritized ? 0 : 1].append(job)
        lock.unlock()
        // Broadcast: a single signal could wake only a reserved thread, which does not take ordinary jobs.
        lock.broadcast()
    }

    /// Lets queued jobs finish, then ends the threads. Does not wait for them.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        lock.broadcast()
    }

    func join() {
        for thread in threads { POSIXThread.join(thread) }
    }

    private func take(priorityOnly: Bool) -> Job? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if !queues[0].isEmpty { return queues[0].removeFirst() }
            if !priorityOnly && !queues[1].isEmpty { return queues[1].removeFirst() }
            if stopping { return nil }
            lock.wait()
        }
    }
}
