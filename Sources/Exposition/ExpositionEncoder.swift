/// Writes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0 into one byte buffer.
///
/// Output is byte-stable: families are sorted by name and samples by label values (see
/// `PreparedFamily`), so the caller may build them in any order. Families with equal names and
/// types are merged (HELP and UNIT of the first given); anything invalid is dropped and counted in
/// the `EncodingReport`, never trapped on.
public enum ExpositionEncoder {
    /// The exposition of `families` in `format`.
    public static func encode(_ families: [MetricFamily], format: ExpositionFormat) -> [UInt8] {
        encodeWithReport(families, format: format).bytes
    }

    /// The exposition of `families` plus what was left out of it.
    public static func encodeWithReport(_ families: [MetricFamily], format: ExpositionFormat) -> EncodedExposition {
        var report = EncodingReport()
        let prepared = prepare(families, report: &report)
        var out: [UInt8] = []
        out.reserveCapacity(prepared.reduce(0) { $0 + estimatedSize(of: $1) } + 16)
        for family in prepared {
            write(family, format: format, to: &out)
        }
        if format == .openMetrics {
            out.append(contentsOf: "# EOF\n".utf8)
        }
        return EncodedExposition(bytes: out, report: report)
    }

    /// Sorts, merges, validates and orders families; drops and counts what cannot be written.
    private static func prepare(_ families: [MetricFamily], report: inout EncodingReport) -> [PreparedFamily] {
        // Sorting indices with the input position as tie-break keeps "first given wins" exact.
        let order = families.indices.sorted { a, b in
            let x = families[a].name.utf8
            let y = families[b].name.utf8
            if x.elementsEqual(y) { return a < b }
            return x.lexicographicallyPrecedes(y)
        }
        var merged: [MetricFamily] = []
        for index in order {
            let family = families[index]
            if let last = merged.last, last.name == family.name {
                if last.type == family.type && last.encodedSamples == nil && family.encodedSamples == nil {
                    merged[merged.count - 1].table.append(contentsOf: family.table)
                    merged[merged.count - 1].buildProblems.append(contentsOf: family.buildProblems)
                    merged[merged.count - 1].buildDropped += family.buildDropped
                } else {
                    report.droppedFamilies += 1
                    report.droppedSamples += family.sampleCount + family.buildDropped
                    report.note(.conflictingType(family: family.name, kept: last.type, dropped: family.type))
                }
                continue
            }
            merged.append(family)
        }

        var owned: Set<String> = []
        var result: [PreparedFamily] = []
        result.reserveCapacity(merged.count)
        var memo: PreparedFamily.OrderMemo?
        for family in merged {
            if let encoded = family.encodedSamples {
                // Written by a SampleLineWriter: names were checked there, lines are final.
                guard encoded.namesValid, NameValidation.isValidMetricName(family.name) else {
                    report.droppedFamilies += 1
                    report.droppedSamples += encoded.count
                    report.note(.invalidMetricName(family.name))
                    continue
                }
                report.droppedSamples += family.buildDropped
                let names = family.type.reservedSuffixes.map { family.name + $0 }
                if let clash = names.first(where: owned.contains) {
                    report.droppedFamilies += 1
                    report.droppedSamples += encoded.count
                    report.note(.clashingName(family: family.name, name: clash))
                    continue
                }
                owned.formUnion(names)
                result.append(PreparedFamily(encoded: family))
                continue
            }
            let prepared = PreparedFamily(family, reusing: memo)
            memo = prepared.memo ?? memo
            for problem in prepared.problems { report.note(problem) }
            report.droppedSamples += prepared.droppedSamples
            guard prepared.isValid else {
                report.droppedFamilies += 1
                continue
            }
            let names = family.type.reservedSuffixes.map { family.name + $0 }
            if let clash = names.first(where: owned.contains) {
                report.droppedFamilies += 1
                report.droppedSamples += prepared.order.count
                report.note(.clashingName(family: family.name, name: clash))
                continue
            }
            owned.formUnion(names)
            result.append(prepared)
        }
        return result
    }

    /// Close upper estimate of a family's output, so the buffer is allocated once.
    private static func estimatedSize(of prepared: PreparedFamily) -> Int {
        if let encoded = prepared.family.encodedSamples {
            return encoded.bytes.count + prepared.family.help.utf8.count * 2 + 3 * 64
        }
        let table = prepared.family.table
        // Per label: name, `="`, `",`; escaping can at most double a value.
        let nameCosts = table.labelNames.map { $0.utf8.count + 4 }
        var labelBytes = 0
        for entry in table.entries { labelBytes += nameCosts[entry.name] }
        let perSample = prepared.family.name.utf8.count + 8 + 2 + 26  // name + suffix, braces, value and newline
        return table.bytes.count * 2 + labelBytes + prepared.order.count * perSample
            + prepared.family.help.utf8.count * 2 + 3 * 64
    }

    private static func write(_ prepared: PreparedFamily, format: ExpositionFormat, to out: inout [UInt8]) {
        let family = prepared.family
        let sampleName = Array((family.name + family.type.sampleSuffix).utf8)
        let metadataName: [UInt8]
        let typeName: String
        switch format {
        case .prometheusText:
            // Text 0.0.4 has no info type and names counters by their sample name.
            metadataName = family.type == .gauge || family.type == .untyped ? Array(family.name.utf8) : sampleName
            typeName = family.type == .info ? "gauge" : family.type.rawValue
        case .openMetrics:
            metadataName = Array(family.name.utf8)
            typeName = family.type == .untyped ? "unknown" : family.type.rawValue
        }
        func appendHelp() {
            out.append(contentsOf: "# HELP ".utf8)
            out.append(contentsOf: metadataName)
            out.append(UInt8(ascii: " "))
            Escaping.appendHelp(family.help, format: format, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        // Text 0.0.4 conventionally leads with HELP; OpenMetrics 1.0 ("MetricFamily metadata") says the
        // order SHOULD be TYPE, UNIT, HELP.
        if format == .prometheusText { appendHelp() }
        out.append(contentsOf: "# TYPE ".utf8)
        out.append(contentsOf: metadataName)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: typeName.utf8)
        out.append(UInt8(ascii: "\n"))
        if format == .openMetrics {
            if prepared.emitsUnit, let unit = family.unit {
                out.append(contentsOf: "# UNIT ".utf8)
                out.append(contentsOf: metadataName)
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: unit.utf8)
                out.append(UInt8(ascii: "\n"))
            }
            appendHelp()
        }
        if let encoded = family.encodedSamples {
            out.append(contentsOf: encoded.bytes)
            return
        }
        let table = family.table
        // `name="` for every label name, flattened so the hot loop copies from one buffer.
        var prefixBytes: [UInt8] = []
        var prefixRanges: [Range<Int>] = []
        for name in table.labelNames {
            let start = prefixBytes.count
            prefixBytes.append(contentsOf: name.utf8)
            prefixBytes.append(UInt8(ascii: "="))
            prefixBytes.append(UInt8(ascii: "\""))
            prefixRanges.append(start..<prefixBytes.count)
        }
        let isInfo = family.type == .info
        table.bytes.withUnsafeBufferPointer { bytes in
            table.entries.withUnsafeBufferPointer { entries in
                table.sampleStarts.withUnsafeBufferPointer { starts in
                    table.values.withUnsafeBufferPointer { values in
                        prefixBytes.withUnsafeBufferPointer { prefixBytes in
                            prefixRanges.withUnsafeBufferPointer { prefixRanges in
                                sampleName.withUnsafeBufferPointer { sampleName in
                                    for i in prepared.order {
                                        out.append(contentsOf: sampleName)
                                        let first = starts[i]
                                        let end = starts[i + 1]
                                        if first < end {
                                            out.append(UInt8(ascii: "{"))
                                            for e in first..<end {
                                                let entry = entries[e]
                                                if e != first { out.append(UInt8(ascii: ",")) }
                                                out.append(
                                                    contentsOf: UnsafeBufferPointer(
                                                        rebasing: prefixBytes[prefixRanges[entry.name]]))
                                                Escaping.appendLabelValue(
                                                    UnsafeBufferPointer(rebasing: bytes[entry.start..<entry.end]),
                                                    to: &out)
                                                out.append(UInt8(ascii: "\""))
                                            }
                                            out.append(UInt8(ascii: "}"))
                                        }
                                        out.append(UInt8(ascii: " "))
                                        if isInfo {
                                            out.append(UInt8(ascii: "1"))
                                        } else {
                                            NumberFormatting.append(values[i], to: &out)
                                        }
                                        out.append(UInt8(ascii: "\n"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
