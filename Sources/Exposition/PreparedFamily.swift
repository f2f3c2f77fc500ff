#if canImport(Glibc)
    import Glibc
#endif

/// One family checked and ordered for writing: invalid samples removed, the rest sorted by label
/// values so the output is byte-stable whatever order the caller built it in.
///
/// Order: samples compare label by label in the caller's label order — first the label name, then
/// the sanitized value as UTF-8 bytes (i.e. Unicode code point order) — and a sample whose labels
/// are a prefix of another's comes first.
struct PreparedFamily {
    var family: MetricFamily
    private(set) var problems: [ExpositionError] = []
    private var seenProblems: Set<ExpositionError> = []
    private(set) var droppedSamples = 0
    private(set) var isValid = true
    private(set) var emitsUnit = false
    /// Indices of the samples to write, in output order.
    private(set) var order: [Int] = []

    /// The outcome of ordering one family, reusable by the next family when that one carries the
    /// same labels on the same samples (as per-device counter families built in one loop do).
    struct OrderMemo {
        var table: SeriesTable
        var kept: [Int]
        var order: [Int]
        var duplicates: Int
    }

    private(set) var memo: OrderMemo?

    /// A family whose sample lines a `SampleLineWriter` already wrote (already ordered).
    init(encoded family: MetricFamily) {
        self.family = family
        if let unit = family.unit, NameValidation.isValidUnit(unit) {
            emitsUnit = family.type != .info && family.name.hasSuffix("_" + unit)
        }
    }

    init(_ family: MetricFamily, reusing previous: OrderMemo? = nil) {
        self.family = family
        for problem in family.buildProblems { note(problem) }
        droppedSamples = family.buildDropped
        guard NameValidation.isValidMetricName(family.name) else {
            isValid = false
            note(.invalidMetricName(family.name))
            droppedSamples += family.table.count
            return
        }
        if let unit = family.unit, !unit.isEmpty {
            if NameValidation.isValidUnit(unit) {
                emitsUnit = family.type != .info && family.name.hasSuffix("_" + unit)
            } else {
                note(.invalidUnit(family: family.name, unit: unit))
            }
        }
        let table = family.table
        let nameValid = table.labelNames.map(NameValidation.isValidLabelName)
        for (i, valid) in nameValid.enumerated() where !valid {
            note(.invalidLabelName(family: family.name, label: table.labelNames[i]))
        }
        var kept: [Int] = []
        kept.reserveCapacity(table.count)
        var homogeneous = true
        var dropped: [ExpositionError?] = []
        let isCounter = family.type == .counter
        table.entries.withUnsafeBufferPointer { entries in
            table.sampleStarts.withUnsafeBufferPointer { starts in
                table.values.withUnsafeBufferPointer { values in
                    nameValid.withUnsafeBufferPointer { nameValid in
                        let firstCount = table.count > 0 ? starts[1] - starts[0] : 0
                        sampleLoop: for i in 0..<table.count {
                            let start = starts[i]
                            let end = starts[i + 1]
                            for e in start..<end {
                                let name = entries[e].name
                                if !nameValid[name] {
                                    dropped.append(nil)
                                    continue sampleLoop
                                }
                                for other in start..<e where entries[other].name == name {
                                    dropped.append(
                                        .duplicateLabelName(family: family.name, label: table.labelNames[name]))
                                    continue sampleLoop
                                }
                            }
                            let value = values[i]
                            if isCounter && (value.isNaN || value < 0) {
                                dropped.append(.invalidCounterValue(family: family.name, value: value.description))
                                continue
                            }
                            if homogeneous {
                                if end - start != firstCount {
                                    homogeneous = false
                                } else {
                                    for k in 0..<firstCount where entries[start + k].name != entries[k].name {
                                        homogeneous = false
                                        break
                                    }
                                }
                            }
                            kept.append(i)
                        }
                    }
                }
            }
        }
        droppedSamples += dropped.count
        for problem in dropped {
            if let problem { note(problem) }
        }
        if let previous, previous.kept == kept, previous.table.hasSameLabels(as: table) {
            order = previous.order
            if previous.duplicates > 0 {
                note(.duplicateSeries(family: family.name))
                droppedSamples += previous.duplicates
            }
            memo = previous
            return
        }
        let before = droppedSamples
        order = sortAndDeduplicate(kept, table: table, homogeneous: homogeneous)
        memo = OrderMemo(table: table, kept: kept, order: order, duplicates: droppedSamples - before)
    }

    private mutating func note(_ problem: ExpositionError) {
        guard problems.count < EncodingReport.problemLimit, seenProblems.insert(problem).inserted else { return }
        problems.append(problem)
    }

    /// A sample to sort: the first 24 bytes of its first label value as big-endian words
    /// (zero-padded) and its index. For homogeneous families (all samples share label names, so the
    /// first label is the same for all) ordering by the words never contradicts the full comparison,
    /// so the full comparison runs only on equal words; a MAC address (17 bytes) is decided by them.
    private struct SortItem {
        var word0: UInt64
        var word1: UInt64
        var word2: UInt64
        var index: Int
    }

    private mutating func sortAndDeduplicate(_ kept: [Int], table: SeriesTable, homogeneous: Bool) -> [Int] {
        guard kept.count > 1 else { return kept }
        // Rank label names by their bytes so samples with different label sets still order stably.
        let rankOrder = table.labelNames.indices.sorted {
            table.labelNames[$0].utf8.lexicographicallyPrecedes(table.labelNames[$1].utf8)
        }
        var rank = [Int](repeating: 0, count: table.labelNames.count)
        for (r, index) in rankOrder.enumerated() { rank[index] = r }

        var items = Self.sortItems(kept, table: table, homogeneous: homogeneous)
        var duplicates: [Int] = []
        table.bytes.withUnsafeBufferPointer { bytes in
            table.entries.withUnsafeBufferPointer { entries in
                table.sampleStarts.withUnsafeBufferPointer { starts in
                    rank.withUnsafeBufferPointer { rank in
                        func compareLabels(_ a: Int, _ b: Int) -> Int {
                            var ea = starts[a]
                            var eb = starts[b]
                            let endA = starts[a + 1]
                            let endB = starts[b + 1]
                            while ea < endA && eb < endB {
                                let x = entries[ea]
                                let y = entries[eb]
                                if x.name != y.name { return rank[x.name] < rank[y.name] ? -1 : 1 }
                                let lengthX = x.end - x.start
                                let lengthY = y.end - y.start
                                let common = min(lengthX, lengthY)
                                if common > 0, let base = bytes.baseAddress {
                                    let c = memcmp(base + x.start, base + y.start, common)
                                    if c != 0 { return c < 0 ? -1 : 1 }
                                }
                                if lengthX != lengthY { return lengthX < lengthY ? -1 : 1 }
                                ea += 1
                                eb += 1
                            }
                            if ea < endA { return 1 }
                            if eb < endB { return -1 }
                            return 0
                        }
                        func compare(_ x: SortItem, _ y: SortItem) -> Int {
                            if x.word0 != y.word0 { return x.word0 < y.word0 ? -1 : 1 }
                            if x.word1 != y.word1 { return x.word1 < y.word1 ? -1 : 1 }
                            if x.word2 != y.word2 { return x.word2 < y.word2 ? -1 : 1 }
                            return compareLabels(x.index, y.index)
                        }
                        var alreadySorted = true
                        for k in 1..<items.count where compare(items[k - 1], items[k]) >= 0 {
                            alreadySorted = false
                            break
                        }
                        if !alreadySorted {
                            // Ties (duplicate series) fall back to input order so the first one given wins.
                            items.sort { x, y in
                                let c = compare(x, y)
                                return c != 0 ? c < 0 : x.index < y.index
                            }
                            if homogeneous {
                                for k in 1..<items.count where compare(items[k - 1], items[k]) == 0 {
                                    duplicates.append(k)
                                }
                            }
                        }
                    }
                }
            }
        }
        var sorted = items.map(\.index)
        if !homogeneous {
            duplicates = Self.duplicatesIgnoringLabelOrder(sorted, table: table, rank: rank)
        }
        guard !duplicates.isEmpty else { return sorted }
        note(.duplicateSeries(family: family.name))
        droppedSamples += duplicates.count
        let drop = Set(duplicates)
        sorted = sorted.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        return sorted
    }

    private static func sortItems(_ kept: [Int], table: SeriesTable, homogeneous: Bool) -> [SortItem] {
        guard homogeneous, table.count > 0, table.sampleStarts[1] > table.sampleStarts[0] else {
            return kept.map { SortItem(word0: 0, word1: 0, word2: 0, index: $0) }
        }
        return table.bytes.withUnsafeBufferPointer { bytes in
            kept.map { i in
                let entry = table.entries[table.sampleStarts[i]]
                var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
                let length = min(24, entry.end - entry.start)
                withUnsafeMutableBytes(of: &words) { raw in
                    if length > 0, let base = bytes.baseAddress {
                        raw.copyMemory(from: UnsafeRawBufferPointer(start: base + entry.start, count: length))
                    }
                }
                return SortItem(
                    word0: UInt64(bigEndian: words.0), word1: UInt64(bigEndian: words.1),
                    word2: UInt64(bigEndian: words.2), index: i)
            }
        }
    }

    /// Positions in `sorted` whose label set (regardless of label order) was seen before. The first
    /// sample in input order wins, as elsewhere.
    private static func duplicatesIgnoringLabelOrder(_ sorted: [Int], table: SeriesTable, rank: [Int]) -> [Int] {
        var firstSeen: [[UInt8]: Int] = [:]
        var losers: [Int] = []
        for (position, i) in sorted.enumerated() {
            let canonical = table.entries[table.sampleStarts[i]..<table.sampleStarts[i + 1]].sorted {
                rank[$0.name] < rank[$1.name]
            }
            var key: [UInt8] = []
            for entry in canonical {
                withUnsafeBytes(of: UInt64(entry.name).littleEndian) { key.append(contentsOf: $0) }
                withUnsafeBytes(of: UInt64(entry.end - entry.start).littleEndian) { key.append(contentsOf: $0) }
                key.append(contentsOf: table.bytes[entry.start..<entry.end])
            }
            if let earlier = firstSeen[key] {
                if i < sorted[earlier] {
                    losers.append(earlier)
                    firstSeen[key] = position
                } else {
                    losers.append(position)
                }
            } else {
                firstSeen[key] = position
            }
        }
        return losers
    }
}
