import Glibc
import LanscopeCore
import LanscopePipeline

/// The wall clock (`CLOCK_REALTIME`), for live runs and the read commands.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }
}

/// Replay time: the newest packet timestamp seen, so presence and `?since=` are relative to the
/// capture, and a replay is deterministic.
public final class ReplayClock: Clock, @unchecked Sendable {
    private let pipeline: Pipeline
    private let fallback: Timestamp
    public init(pipeline: Pipeline, fallback: Timestamp) { self.pipeline = pipeline; self.fallback = fallback }
    public func now() -> Timestamp { pipeline.statistics().lastFrameTime ?? fallback }
}
