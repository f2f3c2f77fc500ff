import LanscopeCore
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// A batch's evidence rows (`EvidenceTimes.rowsByDevice`), grouped and sorted on a helper thread
/// while the writing thread stores the batch's device rows, which do not depend on them. A replay's
/// final batch carries ~30,000 grouped facts whose grouping is pure work (key text, hashing, sorting)
/// that would otherwise wait for the device rows or make them wait. Small batches (the live writer's)
/// are grouped on the calling thread: starting a thread costs more than they take.
final class EvidenceRowsAhead: @unchecked Sendable {
    /// Observations plus grouped facts at which the grouping moves to a helper thread (default 4,096).
    static let threadThreshold = 4_096

    typealias Rows = [(row: EvidenceTimes.Row, times: [Int64])]

    /// Where the helper leaves its result: written by the helper before it ends, read only after
    /// `pthread_join`, which orders the two. The helper holds this box, not the `EvidenceRowsAhead`, so
    /// the object is always released (and its `deinit` joins) on the writing thread.
    private final class Result: @unchecked Sendable {
        var rows: Rows?
    }

    private let observations: [Observation]
    private let factTimes: [HistoryBatch.FactTimes]
    private let result = Result()
    private var thread: pthread_t?

    /// Starts the grouping on a helper thread when the batch is large enough (`threadThreshold`) and
    /// `threaded`; otherwise, or when the thread cannot start, `take()` groups on its caller's thread.
    init(_ observations: [Observation], factTimes: [HistoryBatch.FactTimes], threaded: Bool = true) {
        self.observations = observations
        self.factTimes = factTimes
        guard threaded, observations.count + factTimes.count >= Self.threadThreshold else { return }
        let result = self.result
        thread = try? POSIXThread.start(name: "ls-evidence-rows") {
            result.rows = EvidenceTimes(observations, grouped: factTimes).rowsByDevice
        }
    }

    /// Whether the grouping runs on a helper thread (tests check the path they compare ran).
    var isThreaded: Bool { thread != nil }

    /// The rows by MAC; waits for the helper thread if one runs. Call once.
    func take() -> Rows {
        if let thread {
            POSIXThread.join(thread)
            self.thread = nil
            if let rows = result.rows { return rows }
        }
        return EvidenceTimes(observations, grouped: factTimes).rowsByDevice
    }

    deinit {
        // A write that failed before taking the rows still waits for its helper.
        if let thread { POSIXThread.join(thread) }
    }
}
