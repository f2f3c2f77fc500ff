/// What an encoding pass dropped, so the caller can expose it (every drop has a counter).
public struct EncodingReport: Sendable, Equatable {
    /// At most this many distinct problems are kept; counts stay exact.
    public static let problemLimit = 100

    /// Families left out entirely (invalid name, conflicting type, clashing name).
    public var droppedFamilies = 0
    /// Samples left out, including those of dropped families.
    public var droppedSamples = 0
    /// Distinct problems in the order met, up to `problemLimit`.
    public var problems: [ExpositionError] = []

    public init() {}

    public var isClean: Bool { droppedFamilies == 0 && droppedSamples == 0 && problems.isEmpty }

    mutating func note(_ problem: ExpositionError) {
        if problems.count < Self.problemLimit && !problems.contains(problem) { problems.append(problem) }
    }
}
