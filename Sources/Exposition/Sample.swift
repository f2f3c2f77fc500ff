/// One series of a family: its labels (kept in the given order) and its value.
///
/// The sample name is derived from the family: `x_total` for a counter, `x_info` for an info metric,
/// `x` otherwise. Label values read back from a family are the sanitized values the encoder prints
/// (see `TextSanitizer`).
public struct Sample: Sendable, Equatable {
    public var labels: [Label]
    public var value: Double

    public init(labels: [Label] = [], value: Double) {
        self.labels = labels
        self.value = value
    }

    public init(_ labels: KeyValuePairs<String, String>, value: Double) {
        self.labels = labels.map { Label($0.key, $0.value) }
        self.value = value
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        // Bitwise on the value so that NaN samples compare equal to themselves.
        lhs.labels == rhs.labels
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}
