public import LanscopeCore

/// Concludes what a device is from everything it gave away. Pure and deterministic: every matching
/// rule adds its weight to the value it supports (sum per candidate, not first match); the winner's
/// confidence is its share of all the weight for that field, scaled down while the total evidence is
/// thin, so conflicting evidence lowers confidence and one weak hint never sounds sure.
public struct DeviceClassifier: Sendable {
    public struct Configuration: Sendable {
        /// Least weight the leading type needs before the classifier names it; below, the type is
        /// `unknown`. Default 1.0 (one hint; a prior alone is not enough).
        public var minimumTypeWeight = 1.0
        /// Least weight for the OS, model and manufacturer. Default 0.5.
        public var minimumWeight = 0.5
        /// Total weight at which confidence is half the winner's share (`total / (total + saturation)`).
        /// Default 2.0.
        public var saturation = 2.0
        /// Confidence an `unknown` type may report at most. Default 0.2.
        public var unknownConfidenceCeiling = 0.2
        /// Evidence items kept per field (heaviest first). Default 8.
        public var maximumEvidence = 8
        public init() {}
    }

    public let signatures: SignatureSet
    public let configuration: Configuration

    public init(signatures: SignatureSet = .builtIn, configuration: Configuration = .init()) {
        self.signatures = signatures
        self.configuration = configuration
    }

    /// Classifies `device`, adding the evidence of `linked` devices (the device a private MAC belongs to).
    public func classify(_ device: Device, with linked: [Device] = [], memo: ClassifierMemo? = nil)
        -> DeviceClassification
    {
        // `signalValues` are sorted and distinct already: only merging a linked device's needs a set.
        guard !linked.isEmpty else { return classify(signals: device.signalValues, memo: memo) }
        var values = Set(device.signalValues)
        // A linked device is the same hardware under another MAC: all its evidence counts, its burned-in
        // MAC's vendor included (a private MAC has none of its own).
        for other in linked { values.formUnion(other.signalValues) }
        return classify(signals: values.sorted(), memo: memo)
    }

    /// Classifies from signal values (sorted by the caller for determinism; duplicates are harmless).
    /// `memo`: contributions of values already seen, and where to keep new ones (the result is the same
    /// without it).
    public func classify(signals: [SignalValue], memo: ClassifierMemo? = nil) -> DeviceClassification {
        var tally = Tally()
        for item in signals {
            let contributions: [ClassifierMemo.Contribution]
            if let memo {
                if let known = memo.contributions[item] {
                    contributions = known
                } else {
                    contributions = self.contributions(of: item)
                    memo.keep(contributions, for: item)
                }
            } else {
                contributions = self.contributions(of: item)
            }
            for c in contributions { tally.add(c.field, c.key, c.evidence) }
        }
        tally.mergeManufacturerAliases()
        tally.foldGenericEmbeddedType(minimum: configuration.minimumTypeWeight)

        var result = DeviceClassification()
        if let type = decide(tally.fields[.type], minimum: configuration.minimumTypeWeight),
            let value = DeviceType(rawValue: type.value)
        {
            result.type = ClassifiedValue(value: value, confidence: type.confidence, evidence: type.evidence)
        } else {
            let weak = decide(tally.fields[.type], minimum: 0)
            result.type = ClassifiedValue(
                value: .unknown, confidence: min(weak?.confidence ?? 0, configuration.unknownConfidenceCeiling),
                evidence: weak?.evidence ?? [])
        }
        result.os = decide(tally.fields[.os], minimum: configuration.minimumWeight).map {
            ClassifiedValue(value: $0.value, confidence: $0.confidence, evidence: $0.evidence)
        }
        if let os = result.os?.value {
            let prefix = os + "\u{0}"
            let versions = tally.fields[.osVersion]?.filter { $0.key.hasPrefix(prefix) }
            result.osVersion = decide(versions, minimum: configuration.minimumWeight).map {
                ClassifiedValue(
                    value: String($0.value.dropFirst(prefix.count)), confidence: $0.confidence,
                    evidence: $0.evidence)
            }
        }
        result.model = decide(tally.fields[.model], minimum: configuration.minimumWeight).map {
            ClassifiedValue(value: $0.value, confidence: $0.confidence, evidence: $0.evidence)
        }
        result.manufacturer = decide(tally.fields[.manufacturer], minimum: configuration.minimumWeight).map {
            ClassifiedValue(value: $0.value, confidence: $0.confidence, evidence: $0.evidence)
        }
        return result
    }

    private func decide(_ candidates: [String: [String: ClassificationEvidence]]?, minimum: Double)
        -> (value: String, confidence: Double, evidence: [ClassificationEvidence])?
    {
        guard let candidates, !candidates.isEmpty else { return nil }
        var best: (value: String, weight: Double)?
        var total = 0.0
        for (value, byRule) in candidates.sorted(by: { $0.key < $1.key }) {
            let weight = byRule.values.reduce(0) { $0 + $1.weight }
            total += weight
            // Ties go to the smaller value, so the answer never depends on dictionary order.
            if best.map({ weight > $0.weight }) ?? true { best = (value, weight) }
        }
        guard let best, best.weight > 0, best.weight >= minimum else { return nil }
        let share = best.weight / total
        let confidence = share * total / (total + configuration.saturation)
        let evidence = candidates[best.value]!.values.sorted().prefix(configuration.maximumEvidence)
        return (best.value, (confidence * 1000).rounded() / 1000, Array(evidence))
    }
}

extension DeviceClassifier {
    /// What one signal value adds to a classification: a pure function of the value and the rules.
    func contributions(of item: SignalValue) -> [ClassifierMemo.Contribution] {
        let lowered = item.value.lowercased()
        var matches: [(SignatureRule, String.Index?)] = []
        signatures.forEachMatch(item.signal, value: item.value, lowered: lowered) { matches.append(($0, $1)) }
        // `any` rules are defaults: they conclude a field only when no specific rule did from this value.
        var specific: Set<SignatureRule.Field> = []
        for (rule, _) in matches where rule.match != .any { specific.formUnion(rule.conclusions.map(\.field)) }
        var out: [ClassifierMemo.Contribution] = []
        for (rule, end) in matches {
            let os = rule.conclusions.first { $0.field == .os }.flatMap { conclusion -> String? in
                if case .literal(let name) = conclusion.value { return name }
                return nil
            }
            for conclusion in rule.conclusions {
                if rule.match == .any && specific.contains(conclusion.field) { continue }
                guard let value = rule.resolve(conclusion.value, observed: item.value, matchEnd: end) else {
                    continue
                }
                let evidence = ClassificationEvidence(
                    signal: item.signal.rawValue,
                    value: String(item.value.prefix(SignatureRule.maximumValueLength)),
                    rule: rule.id, weight: rule.weight)
                let key = conclusion.field == .osVersion ? (os ?? "") + "\u{0}" + value : value
                out.append(ClassifierMemo.Contribution(field: conclusion.field, key: key, evidence: evidence))
            }
        }
        return out
    }
}

/// What each signal value contributed when a classifier last met it. The same values come back at
/// every reclassification of a device (each new DNS name reclassifies it with all its others) and
/// from many devices (one vendor, one DHCP fingerprint), so each is matched against the rules once.
/// Holds at most `capacity` values (then starts over). One per classifying thread: not safe to share
/// (`ClassifierStage` keeps its own).
public final class ClassifierMemo: @unchecked Sendable {
    /// Values held at most (default 65,536).
    public static let defaultCapacity = 65_536

    struct Contribution {
        var field: SignatureRule.Field
        /// The candidate value the evidence supports (for the OS version, prefixed by its OS).
        var key: String
        var evidence: ClassificationEvidence
    }

    let capacity: Int
    private(set) var contributions: [SignalValue: [Contribution]] = [:]

    public init(capacity: Int = ClassifierMemo.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    func keep(_ value: [Contribution], for item: SignalValue) {
        if contributions.count >= capacity { contributions.removeAll(keepingCapacity: true) }
        contributions[item] = value
    }

    /// Values held.
    public var count: Int { contributions.count }
}

/// Evidence per field, per candidate value, per rule (a rule counts once however many values it matched).
struct Tally {
    var fields: [SignatureRule.Field: [String: [String: ClassificationEvidence]]] = [:]

    mutating func add(_ field: SignatureRule.Field, _ value: String, _ evidence: ClassificationEvidence) {
        if let existing = fields[field]?[value]?[evidence.rule], existing.value <= evidence.value { return }
        fields[field, default: [:]][value, default: [:]][evidence.rule] = evidence
    }

    /// Types an `iot_other` hint is consistent with: any embedded device. Evidence that a device is "some
    /// embedded thing" (a busybox DHCP client, an lwIP stack) supports a specific embedded type that other
    /// evidence names rather than competing with it.
    static let embeddedTypes: Set<String> = Set(
        DeviceType.allCases.filter { ![.phone, .tablet, .laptop, .desktop, .server, .iotOther, .unknown].contains($0) }
            .map(\.rawValue))

    /// When a specific embedded type has enough weight of its own, the `iot_other` evidence joins it.
    mutating func foldGenericEmbeddedType(minimum: Double) {
        guard var types = fields[.type], let generic = types[DeviceType.iotOther.rawValue] else { return }
        var best: (type: String, weight: Double)?
        for (type, byRule) in types.sorted(by: { $0.key < $1.key }) where Self.embeddedTypes.contains(type) {
            let weight = byRule.values.reduce(0) { $0 + $1.weight }
            if weight >= minimum, best.map({ weight > $0.weight }) ?? true { best = (type, weight) }
        }
        guard let best else { return }
        types[DeviceType.iotOther.rawValue] = nil
        for (rule, evidence) in generic where types[best.type]?[rule] == nil { types[best.type]?[rule] = evidence }
        fields[.type] = types
    }

    /// "D-Link" and "D-Link International" (the IEEE organisation name) are one maker: a candidate whose
    /// letters and digits start with a shorter candidate's joins that (canonical, shorter) one.
    mutating func mergeManufacturerAliases() {
        guard var candidates = fields[.manufacturer], candidates.count > 1 else { return }
        let names = candidates.keys.sorted { ($0.count, $0) < ($1.count, $1) }
        func key(_ name: String) -> String { String(name.lowercased().filter { $0.isLetter || $0.isNumber }) }
        for (i, short) in names.enumerated() {
            let shortKey = key(short)
            guard shortKey.count >= 2, candidates[short] != nil else { continue }
            for long in names[(i + 1)...] where long != short && key(long).hasPrefix(shortKey) {
                guard let moved = candidates.removeValue(forKey: long) else { continue }
                for (rule, evidence) in moved where candidates[short]?[rule] == nil {
                    candidates[short]?[rule] = evidence
                }
            }
        }
        fields[.manufacturer] = candidates
    }
}
