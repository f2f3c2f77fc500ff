import Detection
import LanscopeCore
import LanscopePipeline

/// The stages every pipeline runs, in order: the composition root decides them, the pipeline only
/// drives them. Shared by `run` and `replay` so both raise the same events on the same traffic.
public enum ServiceStages {
    /// `known`: MACs history already holds (never "new").
    public static func make(known: [MACAddress]) -> [any PipelineStage] {
        [NewDeviceDetector(known: known)]
    }
}
