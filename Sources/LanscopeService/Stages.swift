import Detection
import Fingerprinting
import Foundation
import LanscopeCore
import LanscopePipeline

/// The stages every pipeline runs, in order: the composition root decides them, the pipeline only
/// drives them. Shared by `run` and `replay` so both raise the same events on the same traffic.
public enum ServiceStages {
    /// The classifier's rules: the built-in set, plus `DIR/*.tsv` when `--signatures DIR` is given (they add
    /// to it and override it by rule id). A bad file is refused with `file:line: what is wrong`.
    public static func signatures(directory: String?) throws(SignatureFileError) -> SignatureSet {
        guard let directory else { return .builtIn }
        return try SignatureSet.loading(directory: directory)
    }

    /// `known`: MACs history already holds (never "new"). `signatures`: the classifier's rules (built-in,
    /// plus `--signatures DIR` when given). `detection`: thresholds, usually from the detection config file
    /// (`loadDetectionConfiguration`); the defaults otherwise. The classifier runs first, so detectors see
    /// a device's classification; every detector of `Detection` runs unless the file disables it.
    public static func make(
        known: [MACAddress], signatures: SignatureSet = .builtIn,
        detection: DetectionConfiguration = .init()
    ) -> [any PipelineStage] {
        [ClassifierStage(classifier: DeviceClassifier(signatures: signatures))] + detection.makeStages(known: known)
    }

    /// Reads and validates a detection config file (format: `DetectionConfigurationParser`). Throws
    /// `DetectionConfigurationError` (`file:line: problem`, one line per problem) or
    /// `DetectionConfigurationFileError` when the file cannot be read.
    public static func loadDetectionConfiguration(path: String) throws -> DetectionConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DetectionConfigurationFileError(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DetectionConfigurationFileError(path: path, reason: "not UTF-8 text")
        }
        return try DetectionConfigurationParser.parse(text, file: path)
    }
}

/// A detection config file that cannot be read at all.
public struct DetectionConfigurationFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot read the detection configuration: \(reason)" }
}
