/// What the encoder refuses. These are programmer errors (a bad name chosen in code, two families
/// with one name); the encoder drops what they affect, counts it in `EncodingReport`, and never traps.
public enum ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A family name outside `[a-zA-Z_:][a-zA-Z0-9_:]*`; the whole family is dropped.
    case invalidMetricName(String)
    /// A label name outside `[a-zA-Z_][a-zA-Z0-9_]*` or starting with the reserved `__`; samples
    /// carrying it are dropped.
    case invalidLabelName(family: String, label: String)
    /// A sample naming the same label twice; the sample is dropped.
    case duplicateLabelName(family: String, label: String)
    /// A unit outside `[a-zA-Z0-9_:]+`; the `# UNIT` line is left out, the family kept.
    case invalidUnit(family: String, unit: String)
    /// A second family with an existing name but another type; the later one (input order) is dropped.
    case conflictingType(family: String, kept: MetricType, dropped: MetricType)
    /// A family whose name or sample names collide with names another family already owns
    /// (e.g. gauge `x_total` beside counter `x`); the later one in name order is dropped.
    case clashingName(family: String, name: String)
    /// A second sample with the same labels in one family; the later one (input order) is dropped.
    case duplicateSeries(family: String)
    /// A counter sample that is NaN or negative (OpenMetrics 1.0 forbids both); the sample is dropped.
    case invalidCounterValue(family: String, value: String)
    /// A builder row with the wrong number of label values; the row is dropped.
    case labelCountMismatch(family: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case .invalidMetricName(let name):
            "invalid metric name \(quoted(name)): must match [a-zA-Z_:][a-zA-Z0-9_:]*"
        case .invalidLabelName(let family, let label):
            "metric \(family): invalid label name \(quoted(label)): "
                + "must match [a-zA-Z_][a-zA-Z0-9_]* without a leading __"
        case .duplicateLabelName(let family, let label):
            "metric \(family): label \(quoted(label)) given twice in one sample"
        case .invalidUnit(let family, let unit):
            "metric \(family): invalid unit \(quoted(unit)): must match [a-zA-Z0-9_:]+"
        case .conflictingType(let family, let kept, let dropped):
            "metric \(family): declared as \(kept.rawValue) and as \(dropped.rawValue); "
                + "the \(dropped.rawValue) family is dropped"
        case .clashingName(let family, let name):
            "metric \(family): name \(name) is already owned by another family"
        case .duplicateSeries(let family):
            "metric \(family): two samples with identical labels"
        case .invalidCounterValue(let family, let value):
            "metric \(family): counter value \(value) is NaN or negative"
        case .labelCountMismatch(let family, let expected, let got):
            "metric \(family): \(got) label values given for \(expected) label names"
        }
    }

    private func quoted(_ text: String) -> String {
        "\""
            + text.unicodeScalars.map {
                $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}"
            }.joined() + "\""
    }
}
