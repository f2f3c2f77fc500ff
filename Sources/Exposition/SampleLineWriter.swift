/// Writes the sample lines of one family straight into bytes, for families with many series built
/// in one pass (one per device): no per-sample label storage, no sort. The caller adds samples in
/// the order they must appear — sorted by label values, which the caller guarantees (e.g. devices
/// in MAC order) — and with the same label names each time. Label values go through the same
/// sanitizing and escaping as every other family, values through the same number formatting, so
/// the bytes are identical to what the general encoder would write for the same samples.
///
/// Sample lines are spelled the same in text 0.0.4 and OpenMetrics 1.0 for every type (`x_total`,
/// `x_info`, plain gauges), so one buffer serves both formats; the encoder adds the metadata lines.
public struct SampleLineWriter: Sendable {
    public let name: String
    public let type: MetricType
    public let labelNames: [String]
    private(set) var bytes: [UInt8] = []
    private(set) var sampleCount = 0
    /// Samples refused: wrong number of label values, or a counter value OpenMetrics forbids.
    public private(set) var droppedSamples = 0
    private let prefixes: [[UInt8]]
    private let sampleName: [UInt8]
    /// `name{first="` — the start of every line with at least one label, copied in one go.
    private let lineStart: [UInt8]
    private var scratch: [UInt8] = []
    private var textScratch: [UInt8] = []
    private let namesValid: Bool

    /// - Parameter reserveBytes: expected output size, so the buffer grows once. Default 0.
    public init(name: String, type: MetricType, labelNames: [String], reserveBytes: Int = 0) {
        let base = MetricFamily.baseName(name, type: type)
        self.name = base
        self.type = type
        self.labelNames = labelNames
        sampleName = Array((base + type.sampleSuffix).utf8)
        prefixes = labelNames.enumerated().map { index, label in Array(((index == 0 ? "{" : ",") + label + "=\"").utf8)
        }
        lineStart = sampleName + (prefixes.first ?? [])
        namesValid =
            NameValidation.isValidMetricName(base) && labelNames.allSatisfy(NameValidation.isValidLabelName)
            && Set(labelNames).count == labelNames.count
        bytes.reserveCapacity(reserveBytes)
    }

    /// One sample with a single label value (the common per-device case).
    public mutating func add(_ labelValue: String, value: Double) {
        guard labelNames.count == 1 else { droppedSamples += 1; return }
        guard accepts(value) else { return }
        appendSampleName()
        appendLabel(0, labelValue)
        finish(value)
    }

    /// One sample with label values in `labelNames` order.
    public mutating func add(labelValues: [String], value: Double) {
        guard labelValues.count == labelNames.count else { droppedSamples += 1; return }
        guard accepts(value) else { return }
        appendSampleName()
        for (index, labelValue) in labelValues.enumerated() { appendLabel(index, labelValue) }
        finish(value)
    }

    /// One sample whose label values were prepared once (`LabelValue`): the cheap path for values
    /// repeated across families, such as a device's MAC.
    public mutating func add(_ v0: LabelValue, value: Double) {
        guard labelNames.count == 1 else { droppedSamples += 1; return }
        guard accepts(value) else { return }
        appendFirstPrepared(v0)
        finish(value)
    }

    public mutating func add(_ v0: LabelValue, _ v1: LabelValue, _ v2: LabelValue, _ v3: LabelValue, value: Double) {
        guard labelNames.count == 4 else { droppedSamples += 1; return }
        guard accepts(value) else { return }
        appendFirstPrepared(v0)
        appendPrepared(1, v1)
        appendPrepared(2, v2)
        appendPrepared(3, v3)
        finish(value)
    }

    /// One sample whose first label value was prepared (`LabelValue`) and the rest are given.
    public mutating func add(_ v0: LabelValue, _ rest: [String], value: Double) {
        guard rest.count + 1 == labelNames.count else { droppedSamples += 1; return }
        guard accepts(value) else { return }
        appendFirstPrepared(v0)
        for (offset, labelValue) in rest.enumerated() { appendLabel(offset + 1, labelValue) }
        finish(value)
    }

    /// One sample whose first label value was prepared (`LabelValue`) and whose other label values
    /// `labels` appends in `labelNames` order, straight into the output (no `String` or array per
    /// sample). A sample given the wrong number of values is left out and counted.
    public mutating func add(_ v0: LabelValue, value: Double, labels: (inout Labels) -> Void) {
        guard accepts(value) else { return }
        let start = bytes.count
        appendFirstPrepared(v0)
        // The buffers move into the appender and back (no copy: each has one owner at a time).
        var appender = Labels(bytes: bytes, scratch: scratch, textScratch: textScratch, prefixes: prefixes)
        bytes = []
        scratch = []
        textScratch = []
        labels(&appender)
        bytes = appender.bytes
        scratch = appender.scratch
        textScratch = appender.textScratch
        guard appender.next == labelNames.count else {
            bytes.removeSubrange(start...)
            droppedSamples += 1
            return
        }
        finish(value)
    }

    /// Label values after the first, for `add(_:value:labels:)`.
    public struct Labels {
        fileprivate var bytes: [UInt8]
        fileprivate var scratch: [UInt8]
        fileprivate var textScratch: [UInt8]
        fileprivate let prefixes: [[UInt8]]
        fileprivate var next = 1

        /// The next label value (nil: empty).
        public mutating func append(_ value: String?) {
            guard begin() else { return }
            if let value { Escaping.appendRawLabelValue(value, to: &bytes, scratch: &scratch) }
            bytes.append(UInt8(ascii: "\""))
        }

        /// The next label value as UTF-8 that `write` appends (to an empty buffer), e.g. an address
        /// formatted without building a `String`.
        public mutating func append(writing write: (inout [UInt8]) -> Void) {
            guard begin() else { return }
            textScratch.removeAll(keepingCapacity: true)
            write(&textScratch)
            textScratch.withUnsafeBufferPointer { Escaping.appendRawLabelValue($0, to: &bytes, scratch: &scratch) }
            bytes.append(UInt8(ascii: "\""))
        }

        private mutating func begin() -> Bool {
            defer { next += 1 }
            guard next < prefixes.count else { return false }
            prefixes[next].withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
            return true
        }
    }

    /// One sample whose first label value is `v0` and whose remaining label values were prepared
    /// together (`LabelTail`, e.g. the fixed direction/version/protocol of a traffic cell).
    public mutating func add(_ v0: LabelValue, _ tail: LabelTail, value: Double) {
        guard labelNames.count == tail.count + 1, tail.labelNames == Array(labelNames.dropFirst()) else {
            droppedSamples += 1
            return
        }
        guard accepts(value) else { return }
        appendFirstPrepared(v0)
        tail.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        finish(value)
    }

    /// One sample whose value is the exact decimal `units / 10^fractionDigits` (e.g. a timestamp in
    /// milliseconds written as seconds: `1793527200350, 3` → `1793527200.35`), without going through
    /// `Double`'s shortest-form printing.
    public mutating func add(_ v0: LabelValue, decimal units: Int64, fractionDigits: Int) {
        guard labelNames.count == 1, (0...18).contains(fractionDigits) else { droppedSamples += 1; return }
        if type == .counter && units < 0 { droppedSamples += 1; return }
        appendFirstPrepared(v0)
        bytes.append(contentsOf: "} ".utf8)
        var scale: Int64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        if units < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = units.magnitude
        NumberFormatting.append(magnitude / UInt64(scale), to: &bytes)
        var fraction = magnitude % UInt64(scale)
        if fraction != 0 {
            var digits = fractionDigits
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            bytes.append(UInt8(ascii: "."))
            // Exactly `digits` digits, leading zeros included, most significant first.
            var divisor: UInt64 = 1
            for _ in 1..<max(digits, 1) { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
                divisor /= 10
            }
        }
        bytes.append(UInt8(ascii: "\n"))
        sampleCount += 1
    }

    /// Bytes written so far. With `appendSample(from:bytes:)` a family can be written in one order and
    /// assembled in another: e.g. a line per device written in the order devices lie in memory
    /// (reading each device's fields while they are in cache) into a staging writer, then copied in
    /// the sorted order the lines must appear in.
    public var byteCount: Int { bytes.count }

    /// Appends one sample line that `staged`, a writer of the same family (same name, type and label
    /// names), wrote at `range` (its `byteCount` before and after the `add`). The bytes are copied as
    /// they are: they were sanitized, escaped and formatted by `staged`.
    public mutating func appendSample(from staged: SampleLineWriter, bytes range: Range<Int>) {
        staged.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
        sampleCount += 1
    }

    /// Counts the samples `staged` refused as refused by this writer, so `build` reports them.
    public mutating func countDropped(of staged: SampleLineWriter) { droppedSamples += staged.droppedSamples }

    /// The family, ready for the encoder (merging it with another family of the same name is not
    /// supported: the encoder drops the later one and reports it).
    public func build(help: String, unit: String? = nil) -> MetricFamily {
        var family = MetricFamily(
            name: name, help: help, type: type, unit: unit,
            table: SeriesTable(labelNames: labelNames, minimumCapacity: 0))
        family.encodedSamples = EncodedSamples(bytes: bytes, count: sampleCount, namesValid: namesValid)
        family.buildDropped = droppedSamples
        return family
    }

    private func accepts(_ value: Double) -> Bool {
        // OpenMetrics 1.0: counter values are non-negative and not NaN.
        type != .counter || (!value.isNaN && value >= 0)
    }

    private mutating func appendLabel(_ index: Int, _ value: String) {
        prefixes[index].withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        Escaping.appendRawLabelValue(value, to: &bytes, scratch: &scratch)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendSampleName() {
        sampleName.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendFirstPrepared(_ value: LabelValue) {
        lineStart.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        value.escaped.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendPrepared(_ index: Int, _ value: LabelValue) {
        // Copy through buffer pointers: appending one array to another went through the generic
        // sequence path with a retain/release per call, the largest cost of a 10k-device scrape.
        prefixes[index].withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        value.escaped.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func finish(_ value: Double) {
        if !labelNames.isEmpty { bytes.append(UInt8(ascii: "}")) }
        bytes.append(UInt8(ascii: " "))
        if type == .info { bytes.append(UInt8(ascii: "1")) } else { NumberFormatting.append(value, to: &bytes) }
        bytes.append(UInt8(ascii: "\n"))
        sampleCount += 1
    }
}

/// Sample lines written by a `SampleLineWriter`.
struct EncodedSamples: Sendable {
    var bytes: [UInt8]
    var count: Int
    var namesValid: Bool
}

/// A label value sanitized and escaped once, for use in many samples.
public struct LabelValue: Sendable, Hashable {
    private(set) var escaped: [UInt8]

    public init(_ value: String) {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var scratch: [UInt8] = []
        Escaping.appendRawLabelValue(value, to: &out, scratch: &scratch)
        escaped = out
    }

    /// The value `write` appends as UTF-8 (to an empty buffer), e.g. a MAC formatted without
    /// building a `String`.
    public init(capacity: Int = 32, writing write: (inout [UInt8]) -> Void) {
        var raw: [UInt8] = []
        raw.reserveCapacity(capacity)
        write(&raw)
        escaped = raw
        escapeIfNeeded()
    }

    /// Makes this the value `write` appends as UTF-8 (to an empty buffer), reusing this value's storage:
    /// a value that changes from sample to sample (each device's MAC in turn) costs no allocation.
    public mutating func replace(writing write: (inout [UInt8]) -> Void) {
        escaped.removeAll(keepingCapacity: true)
        write(&escaped)
        escapeIfNeeded()
    }

    /// Sanitizes and escapes `escaped`, which holds raw UTF-8; plain ASCII (the usual case) stays as it is.
    private mutating func escapeIfNeeded() {
        if escaped.withUnsafeBufferPointer(Escaping.isPlain) { return }
        var out: [UInt8] = []
        var scratch: [UInt8] = []
        escaped.withUnsafeBufferPointer { Escaping.appendRawLabelValue($0, to: &out, scratch: &scratch) }
        escaped = out
    }
}

/// Label names and values after the first, sanitized and escaped once: `,name="value"` for each.
public struct LabelTail: Sendable, Hashable {
    let labelNames: [String]
    let bytes: [UInt8]
    var count: Int { labelNames.count }

    public init(_ labels: [(name: String, value: String)]) {
        labelNames = labels.map(\.name)
        var out: [UInt8] = []
        for (name, value) in labels {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "=\"".utf8)
            out.append(contentsOf: LabelValue(value).escaped)
            out.append(UInt8(ascii: "\""))
        }
        bytes = out
    }
}
