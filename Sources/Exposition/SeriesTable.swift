/// Compact storage for the samples of one family: label values live sanitized in one byte arena,
/// so building 10,000 series allocates a handful of arrays instead of one per label.
struct SeriesTable: Sendable {
    struct Entry: Sendable, Equatable {
        /// Index into `labelNames`.
        var name: Int
        /// Range of the sanitized value in `bytes`.
        var start: Int
        var end: Int
    }

    private(set) var labelNames: [String] = []
    private var nameIndex: [String: Int] = [:]
    private(set) var bytes: [UInt8] = []
    private(set) var entries: [Entry] = []
    /// Entries of sample `i` are `entries[sampleStarts[i]..<sampleStarts[i + 1]]`.
    private(set) var sampleStarts: [Int] = [0]
    private(set) var values: [Double] = []

    var count: Int { values.count }

    /// Whether both tables hold the same samples' labels (values may differ).
    func hasSameLabels(as other: SeriesTable) -> Bool {
        labelNames == other.labelNames && sampleStarts == other.sampleStarts && entries == other.entries
            && bytes == other.bytes
    }

    init() {}

    init(labelNames: [String], minimumCapacity: Int) {
        for name in labelNames { _ = index(ofLabel: name) }
        entries.reserveCapacity(minimumCapacity * labelNames.count)
        sampleStarts.reserveCapacity(minimumCapacity + 1)
        values.reserveCapacity(minimumCapacity)
        bytes.reserveCapacity(minimumCapacity * 16 * max(1, labelNames.count))
    }

    mutating func index(ofLabel name: String) -> Int {
        if let existing = nameIndex[name] { return existing }
        labelNames.append(name)
        nameIndex[name] = labelNames.count - 1
        return labelNames.count - 1
    }

    /// Adds one label value of the sample being built (closed by `endSample`).
    mutating func addLabel(nameIndex: Int, value: String) {
        let start = bytes.count
        TextSanitizer.appendUTF8(of: value, to: &bytes)
        entries.append(Entry(name: nameIndex, start: start, end: bytes.count))
    }

    mutating func addLabel(nameIndex: Int, valueBytes: some Sequence<UInt8>) {
        let start = bytes.count
        let done: Void? = valueBytes.withContiguousStorageIfAvailable { TextSanitizer.append($0, to: &bytes) }
        if done == nil {
            let copy = Array(valueBytes)
            copy.withUnsafeBufferPointer { TextSanitizer.append($0, to: &bytes) }
        }
        entries.append(Entry(name: nameIndex, start: start, end: bytes.count))
    }

    mutating func endSample(value: Double) {
        values.append(value)
        sampleStarts.append(entries.count)
    }

    mutating func append(_ sample: Sample) {
        for label in sample.labels {
            addLabel(nameIndex: index(ofLabel: label.name), value: label.value)
        }
        endSample(value: sample.value)
    }

    mutating func append(contentsOf other: SeriesTable) {
        let remap = other.labelNames.map { index(ofLabel: $0) }
        let offset = bytes.count
        bytes.append(contentsOf: other.bytes)
        entries.append(
            contentsOf: other.entries.map {
                Entry(name: remap[$0.name], start: $0.start + offset, end: $0.end + offset)
            })
        let entryOffset = sampleStarts[sampleStarts.count - 1]
        sampleStarts.append(contentsOf: other.sampleStarts.dropFirst().map { $0 + entryOffset })
        values.append(contentsOf: other.values)
    }

    func sample(at i: Int) -> Sample {
        let labels = entries[sampleStarts[i]..<sampleStarts[i + 1]].map { entry in
            Label(labelNames[entry.name], String(decoding: bytes[entry.start..<entry.end], as: UTF8.self))
        }
        return Sample(labels: labels, value: values[i])
    }
}
