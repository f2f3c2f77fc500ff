import LanscopePipeline
import PacketDecoding
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// Adds decoded batches' observations to the pipeline's pending history on a thread of its own
/// (`Pipeline.keepEvidence(of:)`), while the pipeline's thread goes on with the next frames: holding
/// evidence for history (a hash of each device and fact, its times) was an eighth of a
/// discovery-heavy replay's work on that thread.
///
/// The pending history is the same as when the pipeline keeps the evidence itself: batches are
/// added whole and in capture order, and the pipeline's thread calls `wait()` before it takes the
/// pending history, so a flush holds exactly the frames before it. To read how much is pending at a
/// batch's end without waiting, it asks for a count there (`countAtLatestBatch()`) and takes it later
/// (`takeCount()`): the keeper counts when it has added that batch.
final class EvidenceKeeper: @unchecked Sendable {
    /// Batches handed over and not yet added at most (default 8): the pipeline's thread waits
    /// rather than let them pile up.
    static let defaultDepth = 8

    private let pipeline: Pipeline
    private let depth: Int
    private let lock = ConditionLock()
    /// Under `lock`: batches waiting, whether one is being added, observations left out since the
    /// last `wait()`, and the request to stop.
    private var waiting: [DecodedFrames] = []
    private var busy = false
    private var dropped: UInt64 = 0
    private var stopping = false
    /// Under `lock`: batches handed over and batches added so far; the handed-batch numbers after
    /// which to count, in order; the counts taken there, in order.
    private var handed = 0
    private var added = 0
    private var countAfter: [Int] = []
    private var counts: [(facts: Int, observations: Int)] = []
    private var thread: pthread_t?

    /// Starts the thread. Throws when it cannot be started.
    init(pipeline: Pipeline, depth: Int = EvidenceKeeper.defaultDepth) throws(ThreadError) {
        precondition(depth > 0, "depth must be positive")
        self.pipeline = pipeline
        self.depth = depth
        thread = try POSIXThread.start(name: "ls-evidence") { [self] in run() }
    }

    private func run() {
        lock.lock()
        while true {
            while waiting.isEmpty && !stopping { lock.wait() }
            guard !waiting.isEmpty else { break }
            let batch = waiting.removeFirst()
            busy = true
            lock.unlock()
            let left = pipeline.keepEvidence(of: batch)
            lock.lock()
            busy = false
            dropped &+= left
            added += 1
            if countAfter.first == added {
                countAfter.removeFirst()
                counts.append(pipeline.pendingEvidenceCount)
            }
            // The pipeline's thread may wait for room or for the keeper to be idle.
            lock.broadcast()
        }
        lock.unlock()
    }

    /// Queues `batch` (every frame of it already processed with `keepingEvidence: false`); waits
    /// while `depth` batches are queued.
    func hand(_ batch: DecodedFrames) {
        lock.lock()
        while waiting.count >= depth { lock.wait() }
        waiting.append(batch)
        handed += 1
        lock.broadcast()
        lock.unlock()
    }

    /// Asks for the pending counts once every batch handed over so far has been added (taken now
    /// when they all have been).
    func countAtLatestBatch() {
        lock.lock()
        defer { lock.unlock() }
        if added == handed {
            counts.append(pipeline.pendingEvidenceCount)
        } else {
            countAfter.append(handed)
        }
    }

    /// The oldest count asked for and not yet taken, waiting for it if need be.
    func takeCount() -> (facts: Int, observations: Int) {
        lock.lock()
        defer { lock.unlock() }
        precondition(!counts.isEmpty || !countAfter.isEmpty, "no count was asked for")
        while counts.isEmpty { lock.wait() }
        return counts.removeFirst()
    }

    /// Waits until every batch handed over has been added; returns the observations the pending
    /// set's caps left out since the last call (for `Pipeline.notePendingObservationsDropped`).
    func wait() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        while !waiting.isEmpty || busy { lock.wait() }
        let left = dropped
        dropped = 0
        return left
    }

    /// Adds what is still queued, stops the thread and returns what `wait()` would.
    func finish() -> UInt64 {
        let left = wait()
        lock.lock()
        stopping = true
        lock.broadcast()
        lock.unlock()
        if let thread {
            POSIXThread.join(thread)
            self.thread = nil
        }
        return left
    }
}
