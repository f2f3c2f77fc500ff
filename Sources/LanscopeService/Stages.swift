import Detection
import Fingerprinting
import LanscopeCore
import LanscopePipeline

/// The stages every pipeline runs, in order: the composition root decides them, the pipeline only
/// drives them. Shared by `run` and `replay` so both raise the same events on the same traffic.
public enum ServiceStages {
    /// `known`: MACs history already holds (never "new").
    /// `signatures`: the classifier's rules (built-in, plus `--signatures DIR` when given).
    public static func make(known: [MACAddress], signatures: SignatureSet = .builtIn) -> [any PipelineStage] {
        [ClassifierStage(classifier: DeviceClassifier(signatures: signatures)), NewDeviceDetector(known: known)]
    }
}
