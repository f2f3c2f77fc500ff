import Detection
import Fingerprinting
import LanscopeCore
import LanscopePipeline

/// The stages every pipeline runs, in order: the composition root decides them, the pipeline only
/// drives them. Shared by `run` and `replay` so both raise the same events on the same traffic.
public enum ServiceStages {
    /// `known`: MACs history already holds (never "new").
    /// The classifier's rules: the built-in set, plus `DIR/*.tsv` when `--signatures DIR` is given (they add
    /// to it and override it by rule id). A bad file is refused with `file:line: what is wrong`.
    public static func signatures(directory: String?) throws(SignatureFileError) -> SignatureSet {
        guard let directory else { return .builtIn }
        return try SignatureSet.loading(directory: directory)
    }

    /// `signatures`: the classifier's rules (built-in, plus `--signatures DIR` when given).
    public static func make(known: [MACAddress], signatures: SignatureSet = .builtIn) -> [any PipelineStage] {
        [ClassifierStage(classifier: DeviceClassifier(signatures: signatures)), NewDeviceDetector(known: known)]
    }
}
