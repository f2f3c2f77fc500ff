/// How long history keeps each tier of traffic samples, and what else ages out with them.
/// Defaults: raw samples 1 day, hourly 30 days, daily 365 days (`--retention raw=1d,hourly=30d,daily=365d`).
public struct RetentionPolicy: Sendable, Hashable {
    /// Raw samples older than this are summed into hourly ones (default 1 day).
    public var raw: Duration = .seconds(86_400)
    /// Hourly samples older than this are summed into daily ones (default 30 days).
    public var hourly: Duration = .seconds(30 * 86_400)
    /// Daily samples, presence spans ended, and evidence last seen longer ago than this are deleted
    /// (default 365 days). Devices, their addresses, identity changes and events are kept.
    public var daily: Duration = .seconds(365 * 86_400)

    public init(
        raw: Duration = .seconds(86_400), hourly: Duration = .seconds(30 * 86_400),
        daily: Duration = .seconds(365 * 86_400)
    ) {
        self.raw = raw
        self.hourly = hourly
        self.daily = daily
    }

    /// Bounds on one maintenance pass, so retention never holds the store (and the writer thread)
    /// for long: each statement touches at most `rowsPerStatement` rows, in its own transaction. A pass
    /// runs each of its five steps (fold raw, fold hourly, delete daily, presence, evidence) and repeats
    /// a step whose statement hit the row limit only while fewer than `statementsPerPass` statements
    /// have run — at most `statementsPerPass + 4` statements; what is left waits for the next pass.
    public struct Bounds: Sendable, Hashable {
        /// Default 2,000.
        public var rowsPerStatement: Int = 2_000
        /// Default 16.
        public var statementsPerPass: Int = 16
        public init(rowsPerStatement: Int = 2_000, statementsPerPass: Int = 16) {
            self.rowsPerStatement = rowsPerStatement
            self.statementsPerPass = statementsPerPass
        }
    }
}

/// What one retention pass did.
public struct RetentionPass: Sendable, Hashable {
    /// Finer samples summed into coarser ones (and removed).
    public var folded = 0
    /// Rows deleted: daily samples, presence spans, evidence.
    public var deleted = 0
    /// Statements run (each at most `Bounds.rowsPerStatement` rows).
    public var statements = 0
    /// True when nothing older than the policy's limits is left; false when the pass stopped at its
    /// bound and the next pass continues.
    public var complete = false

    public init() {}
}
