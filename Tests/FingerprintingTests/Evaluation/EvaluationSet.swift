import CapturePcap
import Fingerprinting
import Foundation
import Inventory
import LanscopeCore
import PacketDecoding

/// The labelled evaluation set (`labels.tsv`, documented in `README.md`): real captures replayed through
/// the real reader, decoder and registry, then classified by the classifier stage as the service runs it.
enum EvaluationSet {
    struct Label {
        var capture: String
        var mac: MACAddress
        var type: DeviceType?
        var manufacturer: String?
        var os: String?
        var holdout: Bool
        /// Added in the corpus review, after the classifier had been run on every corpus device (README.md).
        var review: Bool
        var note: String
    }

    struct Outcome {
        var label: Label
        var device: Device?
        var classification: DeviceClassification { device?.classification ?? .unknown }
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// `$LANSCOPE_PCAP_CORPUS`, else `../shared/pcaps` beside the repository.
    static let corpus: URL? = {
        if let configured = ProcessInfo.processInfo.environment["LANSCOPE_PCAP_CORPUS"], !configured.isEmpty {
            return FileManager.default.fileExists(atPath: configured) ? URL(fileURLWithPath: configured) : nil
        }
        let root = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = root.deletingLastPathComponent().appendingPathComponent("shared/pcaps")
        return FileManager.default.fileExists(atPath: candidate.appendingPathComponent("manifest.json").path)
            ? candidate : nil
    }()

    /// Where `Tests/EndToEnd/capture_devices.py` wrote the namespace devices' capture: `LANSCOPE_NAMESPACE_CAPTURES`,
    /// else `.build/namespace-captures` in the package; nil when neither holds it.
    static let namespaceCaptures: URL? = {
        let root = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configured = ProcessInfo.processInfo.environment["LANSCOPE_NAMESPACE_CAPTURES"].flatMap {
            $0.isEmpty ? nil : URL(fileURLWithPath: $0)
        }
        let candidate = configured ?? root.appendingPathComponent(".build/namespace-captures")
        let exists = (try? namespaceLabels())?.allSatisfy {
            FileManager.default.fileExists(atPath: candidate.appendingPathComponent($0.capture).path)
        }
        return exists == true ? candidate : nil
    }()

    /// The public captures' labels (`labels.tsv`).
    static func labels() throws -> [Label] { try labels(file: "labels.tsv") }

    /// The namespace devices' labels (`namespace-labels.tsv`).
    static func namespaceLabels() throws -> [Label] { try labels(file: "namespace-labels.tsv") }

    static func labels(file: String) throws -> [Label] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        var labels: [Label] = []
        for (number, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 7, let mac = MACAddress(fields[1]) else {
                throw EvaluationError("\(file):\(number + 1): expected 7 tab-separated fields with a MAC")
            }
            func optional(_ text: String) -> String? { text == "-" ? nil : text }
            let type = try optional(fields[2]).map { text -> DeviceType in
                guard let type = DeviceType(rawValue: text) else {
                    throw EvaluationError("\(file):\(number + 1): unknown type \(text)")
                }
                return type
            }
            guard ["train", "holdout", "review"].contains(fields[5]) else {
                throw EvaluationError("\(file):\(number + 1): split must be train, holdout or review")
            }
            labels.append(
                Label(
                    capture: fields[0], mac: mac, type: type, manufacturer: optional(fields[3]),
                    os: optional(fields[4]), holdout: fields[5] == "holdout", review: fields[5] == "review",
                    note: fields[6]))
        }
        return labels
    }

    /// Replays every labelled capture once and classifies its devices.
    static func run(corpus: URL, vendors: OUIRegistry, labels: [Label]? = nil) throws -> [Outcome] {
        let labels = try labels ?? Self.labels()
        var outcomes: [Outcome] = []
        var registries: [String: DeviceRegistry] = [:]
        for label in labels {
            let registry: DeviceRegistry
            if let existing = registries[label.capture] {
                registry = existing
            } else {
                registry = try replay(corpus.appendingPathComponent(label.capture).path, vendors: vendors)
                registries[label.capture] = registry
            }
            outcomes.append(Outcome(label: label, device: registry.device(label.mac)))
        }
        return outcomes
    }

    /// The capture through `PcapFileReader` → `FrameDecoder` → `DeviceRegistry`, then one classifier tick
    /// over every device (what the pipeline does at the end of a replay).
    static func replay(_ path: String, vendors: OUIRegistry) throws -> DeviceRegistry {
        let reader = try PcapFileReader(path: path)
        let decoder = FrameDecoder(linkType: reader.linkType)
        let registry = DeviceRegistry(vendorLookup: { vendors.vendor(for: $0) })
        var changes: [InventoryChange] = []
        var result = DecodeResult()
        var last = Timestamp.zero
        do {
            try reader.forEachPacket { bytes, wireLength, time in
                decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
                changes += registry.count(result.summary, at: time)
                if !result.observations.isEmpty { changes += registry.record(result.observations) }
                if time > last { last = time }
            }
        } catch {
            // A capture cut short still yields the frames before the cut.
        }
        var stage = ClassifierStage()
        let context = StageContext(inventory: registry)
        var output = StageOutput()
        for change in changes { stage.change(change, context: context, output: &output) }
        // Two ticks: the second lets private MACs see the evidence their link targets gained in the first.
        for _ in 0..<2 {
            stage.tick(TrafficTick(time: last, interval: .seconds(10), deltas: []), context: context, output: &output)
            for (mac, link) in output.links { registry.link(mac, to: link) }
            for (mac, classification) in output.classifications {
                _ = registry.classify(mac, as: classification, at: last)
            }
            output.removeAll()
        }
        return registry
    }

    /// Manufacturer/OS names agree when one's letters and digits start with the other's ("Cisco" and
    /// "Cisco Systems, Inc"; "Linux" and "Linux (embedded)").
    static func agrees(_ label: String, _ predicted: String?) -> Bool {
        guard let predicted else { return false }
        func key(_ text: String) -> String { String(text.lowercased().filter { $0.isLetter || $0.isNumber }) }
        let a = key(label)
        let b = key(predicted)
        return !a.isEmpty && !b.isEmpty && (a.hasPrefix(b) || b.hasPrefix(a))
    }

    struct EvaluationError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
