import Inventory
import LanscopeCore
import LanscopePipeline

/// One capture backend as the service drives it: a loop on its own thread feeding the pipeline,
/// plus what it reports to `/metrics`.
protocol CaptureDriver: TrafficSource {
    /// Runs until `stop()`; called on a dedicated thread.
    func run(into pipeline: Pipeline)
    func stop()
    /// Periodic upkeep on the maintenance thread (reattach, expiry).
    func maintain(registry: DeviceRegistry, now: Timestamp)
    /// True once the source has started delivering (or, for a file, finished replaying).
    var isReady: Bool { get }
}
