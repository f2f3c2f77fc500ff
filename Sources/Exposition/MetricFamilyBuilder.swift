/// Builds a family whose samples all carry the same label names, appending label values straight
/// into compact storage. This is the cheap way to expose one series per device.
///
/// ```swift
/// var received = MetricFamilyBuilder(name: "net_received_bytes", help: "Bytes received.",
///                                    type: .counter, labelNames: ["mac"], minimumCapacity: devices.count)
/// for device in devices { received.add(device.mac, value: device.receivedBytes) }
/// families.append(received.build())
/// ```
public struct MetricFamilyBuilder: Sendable {
    private var family: MetricFamily
    /// Table index of each label name, by position (a name given twice maps to one index, and the
    /// encoder then drops the rows as having a duplicate label).
    private let labelIndices: [Int]
    private var labelCount: Int { labelIndices.count }

    /// - Parameters:
    ///   - labelNames: names of the labels every row gives values for, in output order.
    ///   - minimumCapacity: rows to reserve space for. Default 0.
    public init(
        name: String, help: String, type: MetricType, unit: String? = nil, labelNames: [String],
        minimumCapacity: Int = 0
    ) {
        var table = SeriesTable(labelNames: labelNames, minimumCapacity: max(0, minimumCapacity))
        labelIndices = labelNames.map { table.index(ofLabel: $0) }
        family = MetricFamily(name: name, help: help, type: type, unit: unit, table: table)
    }

    /// Rows added so far.
    public var count: Int { family.table.count }

    /// Rows refused because their number of label values did not match the label names.
    public var droppedRows: Int { family.buildDropped }

    /// Adds one row. Info metrics print value 1 whatever is passed.
    public mutating func add(_ labelValues: String..., value: Double = 1) {
        add(labelValues: labelValues, value: value)
    }

    public mutating func add(labelValues: [String], value: Double = 1) {
        guard labelValues.count == labelCount else { return refuse(got: labelValues.count) }
        for (i, labelValue) in labelValues.enumerated() {
            family.table.addLabel(nameIndex: labelIndices[i], value: labelValue)
        }
        family.table.endSample(value: value)
    }

    /// Adds one row whose label values are raw bytes (e.g. a hostname from the wire); invalid UTF-8
    /// is replaced as `TextSanitizer` describes.
    public mutating func add(labelValueBytes: [[UInt8]], value: Double = 1) {
        guard labelValueBytes.count == labelCount else { return refuse(got: labelValueBytes.count) }
        for (i, labelValue) in labelValueBytes.enumerated() {
            family.table.addLabel(nameIndex: labelIndices[i], valueBytes: labelValue)
        }
        family.table.endSample(value: value)
    }

    public func build() -> MetricFamily { family }

    private mutating func refuse(got: Int) {
        family.buildDropped += 1
        if family.buildProblems.count < EncodingReport.problemLimit {
            family.buildProblems.append(.labelCountMismatch(family: family.name, expected: labelCount, got: got))
        }
    }
}
