/// The kind of a metric family, deciding its `# TYPE` line and the suffix of its samples.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    /// Monotonic total. Family `x` exposes samples `x_total`.
    case counter
    /// Value that can go up and down. Samples are named like the family.
    case gauge
    /// Constant metadata as labels. Family `x` exposes samples `x_info` with value 1.
    case info
    /// Unknown kind (`untyped` in text 0.0.4, `unknown` in OpenMetrics).
    case untyped

    /// What sample names append to the family name.
    var sampleSuffix: String {
        switch self {
        case .counter: "_total"
        case .info: "_info"
        case .gauge, .untyped: ""
        }
    }

    /// Names a family of this kind reserves in OpenMetrics, as suffixes of its name (OpenMetrics 1.0,
    /// "Metric types": a counter also owns `_created`). Two families reserving the same name clash.
    var reservedSuffixes: [String] {
        switch self {
        case .counter: ["", "_total", "_created"]
        case .info: ["", "_info"]
        case .gauge, .untyped: [""]
        }
    }
}
