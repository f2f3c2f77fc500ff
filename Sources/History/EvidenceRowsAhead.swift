import LanscopeCore
import Platform

/// A batch's evidence rows (`EvidenceTimes.rowsByDevice`), read from the batch's grouped facts,
/// grouped and sorted on a helper thread
/// while the writing thread stores the batch's device rows, which do not depend on them. A replay's
/// final batch carries ~30,000 grouped facts whose grouping is pure work (key text, hashing, sorting)
/// that would otherwise wait for the device rows or make them wait. Small batches (the live writer's)
/// are grouped on the calling thread: starting a thread costs more than they take.
final class EvidenceRowsAhead: @unchecked Sendable {
    /// Observations plus grouped facts at which the grouping moves to a helper thread (default 4,096).
    static let threadThreshold = 4_096

    typealias Rows = [(row: EvidenceTimes.Row, times: [Int64])]

    private let rows: ThreadedValue<Rows>

    /// Starts the grouping on a helper thread when the batch is large enough (`threadThreshold`) and
    /// `threaded`; otherwise, or when the thread cannot start, `take()` groups on its caller's thread.
    init(_ observations: [Observation], factTimes: any GroupedFacts, threaded: Bool = true) {
        rows = ThreadedValue(
            name: "ls-evidence-rows",
            threaded: threaded && observations.count + factTimes.groupCount >= Self.threadThreshold
        ) { EvidenceTimes(observations, grouped: factTimes).rowsByDevice }
    }

    /// Whether the grouping runs on a helper thread (tests check the path they compare ran).
    var isThreaded: Bool { rows.isThreaded }

    /// The rows by MAC; waits for the helper thread if one runs. Call once.
    func take() -> Rows { rows.take() }
}
