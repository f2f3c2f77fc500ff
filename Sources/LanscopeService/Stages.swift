import Detection
import Fingerprinting
import Foundation
import LanscopeCore
import LanscopePipeline
import Logging
import Platform

/// The stages every pipeline runs, in order: the composition root decides them, the pipeline only
/// drives them. Shared by `run` and `replay` so both raise the same events on the same traffic.
public enum ServiceStages {
    /// The classifier's rules: the built-in set, plus `DIR/*.tsv` when `--signatures DIR` is given (they add
    /// to it and override it by rule id). A bad file is refused with `file:line: what is wrong`.
    public static func signatures(directory: String?) throws(SignatureFileError) -> SignatureSet {
        guard let directory else { return .builtIn }
        return try SignatureSet.loading(directory: directory)
    }

    /// What identifies devices, loaded for `run` and `replay` alike: the IEEE registry (`--oui-file`, or the
    /// installed one) and the classifier's rules (`signatures(directory:)`). The registry (~20 ms to parse)
    /// loads on a helper thread while the rules are parsed. Callers report a bad `--oui-file` (the
    /// directory's `loadError` when `ouiPath` is given) before a bad signature file.
    public static func identification(ouiPath: String?, signaturesPath: String?, logger: Logger) -> (
        vendors: VendorDirectory, signatures: Result<SignatureSet, SignatureFileError>
    ) {
        let vendors = ThreadedValue(name: "ls-vendors") { VendorDirectory.load(path: ouiPath, logger: logger) }
        let signatures = Result { () throws(SignatureFileError) in try Self.signatures(directory: signaturesPath) }
        return (vendors.take(), signatures)
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
        let bytes: [UInt8]
        switch SmallFile.read(path) {
        case .success(let read): bytes = read
        case .failure(let failure): throw DetectionConfigurationFileError(path: path, reason: failure.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
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
