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

    init(_ family: MetricFamily) {
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
        let firstNames = table.count > 0 ? table.entries[table.sampleStarts[0]..<table.sampleStarts[1]].map(\.name) : []
        for i in 0..<table.count {
            if let problem = check(sample: i, table: table, nameValid: nameValid) {
                droppedSamples += 1
                if let problem { note(problem) }
                continue
            }
            if homogeneous && !table.entries[table.sampleStarts[i]..<table.sampleStarts[i + 1]].map(\.name).elementsEqual(firstNames) {
                homogeneous = false
            }
            kept.append(i)
        }
        order = sortAndDeduplicate(kept, table: table, homogeneous: homogeneous)
    }

    /// `nil` when the sample is fine, `.some(problem)` when it must be dropped.
    private func check(sample i: Int, table: SeriesTable, nameValid: [Bool]) -> ExpositionError?? {
        let range = table.sampleStarts[i]..<table.sampleStarts[i + 1]
        for e in range {
            let name = table.entries[e].name
            if !nameValid[name] { return .some(nil) }
            for other in range.lowerBound..<e where table.entries[other].name == name {
                return .some(.duplicateLabelName(family: family.name, label: table.labelNames[name]))
            }
        }
        let value = table.values[i]
        if family.type == .counter && (value.isNaN || value < 0) {
            return .some(.invalidCounterValue(family: family.name, value: value.description))
        }
        return nil
    }

    private mutating func note(_ problem: ExpositionError) {
        guard problems.count < EncodingReport.problemLimit, seenProblems.insert(problem).inserted else { return }
        problems.append(problem)
    }

    private mutating func sortAndDeduplicate(_ kept: [Int], table: SeriesTable, homogeneous: Bool) -> [Int] {
        guard kept.count > 1 else { return kept }
        // Rank label names by their bytes so samples with different label sets still order stably.
        let rankOrder = table.labelNames.indices.sorted {
            table.labelNames[$0].utf8.lexicographicallyPrecedes(table.labelNames[$1].utf8)
        }
        var rank = [Int](repeating: 0, count: table.labelNames.count)
        for (r, index) in rankOrder.enumerated() { rank[index] = r }

        var sorted = kept
        var duplicates: [Int] = []
        table.bytes.withUnsafeBufferPointer { bytes in
            table.entries.withUnsafeBufferPointer { entries in
                table.sampleStarts.withUnsafeBufferPointer { starts in
                    func compare(_ a: Int, _ b: Int) -> Int {
                        var ea = starts[a], eb = starts[b]
                        let endA = starts[a + 1], endB = starts[b + 1]
                        while ea < endA && eb < endB {
                            let x = entries[ea], y = entries[eb]
                            if x.name != y.name { return rank[x.name] < rank[y.name] ? -1 : 1 }
                            let lengthX = x.end - x.start, lengthY = y.end - y.start
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
                    var alreadySorted = true
                    for k in 1..<sorted.count where compare(sorted[k - 1], sorted[k]) >= 0 {
                        alreadySorted = false
                        break
                    }
                    if !alreadySorted {
                        // Ties (duplicate series) fall back to input order so the first one given wins.
                        sorted.sort { a, b in
                            let c = compare(a, b)
                            return c != 0 ? c < 0 : a < b
                        }
                        if homogeneous {
                            for k in 1..<sorted.count where compare(sorted[k - 1], sorted[k]) == 0 {
                                duplicates.append(k)
                            }
                        }
                    }
                }
            }
        }
        if !homogeneous {
            duplicates = Self.duplicatesIgnoringLabelOrder(sorted, table: table, rank: rank)
        }
        guard !duplicates.isEmpty else { return sorted }
        note(.duplicateSeries(family: family.name))
        droppedSamples += duplicates.count
        let drop = Set(duplicates)
        return sorted.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
    }

    /// Positions in `sorted` whose label set (regardless of label order) was seen before. The first
    /// sample in input order wins, as elsewhere.
    private static func duplicatesIgnoringLabelOrder(_ sorted: [Int], table: SeriesTable, rank: [Int]) -> [Int] {
        var firstSeen: [[UInt8]: Int] = [:]
        var losers: [Int] = []
        for (position, i) in sorted.enumerated() {
            let canonical = table.entries[table.sampleStarts[i]..<table.sampleStarts[i + 1]].sorted { rank[$0.name] < rank[$1.name] }
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
