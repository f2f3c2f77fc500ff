/// A named group of samples sharing HELP, TYPE and (optionally) UNIT.
///
/// `name` is the base name: a counter `x` is printed with samples `x_total`, an info metric `x` with
/// samples `x_info`. A trailing `_total` (counter) or `_info` (info) given in `name` is removed so
/// either spelling yields the same output.
public struct MetricFamily: Sendable {
    public let name: String
    /// Free text; escaped when written. Empty is allowed but tools such as promtool warn about it.
    public var help: String
    public let type: MetricType
    /// Base unit such as `seconds` or `bytes`. OpenMetrics prints `# UNIT` only when `name` ends
    /// with `_<unit>` and the type is not `info` (OpenMetrics 1.0, "Unit"). Default nil.
    public var unit: String?
    var table: SeriesTable
    /// Rows a builder refused, reported again by the encoder.
    var buildProblems: [ExpositionError] = []
    var buildDropped = 0
    /// Set for families built by a `SampleLineWriter`: their lines are written as they are.
    var encodedSamples: EncodedSamples?

    public init(name: String, help: String, type: MetricType, unit: String? = nil, samples: [Sample] = []) {
        self.name = MetricFamily.baseName(name, type: type)
        self.help = help
        self.type = type
        self.unit = unit
        table = SeriesTable()
        for sample in samples { table.append(sample) }
    }

    init(name: String, help: String, type: MetricType, unit: String?, table: SeriesTable) {
        self.name = MetricFamily.baseName(name, type: type)
        self.help = help
        self.type = type
        self.unit = unit
        self.table = table
    }

    /// Samples as stored: label values are already sanitized.
    public var samples: [Sample] { (0..<table.count).map { table.sample(at: $0) } }

    public var sampleCount: Int { encodedSamples?.count ?? table.count }

    public mutating func append(_ sample: Sample) { table.append(sample) }

    /// Throws the first problem the encoder would report for this family alone.
    public func validate() throws(ExpositionError) {
        if let problem = buildProblems.first { throw problem }
        let prepared = PreparedFamily(self)
        if let problem = prepared.problems.first { throw problem }
    }

    static func baseName(_ name: String, type: MetricType) -> String {
        let suffix = type.sampleSuffix
        guard !suffix.isEmpty, name.hasSuffix(suffix) else { return name }
        return String(name.dropLast(suffix.count))
    }
}
