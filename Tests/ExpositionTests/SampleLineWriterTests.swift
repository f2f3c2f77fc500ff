import Exposition
import Testing

/// A family written by `SampleLineWriter` must encode to exactly the bytes the general path writes for
/// the same samples, in both formats, hostile label values included.
@Suite struct SampleLineWriterTests {
    static let hostile = [
        "aa:bb", "quote\"back\\slash", "new\nline} 1\n# HELP x y", "cr\rtab\t", String(repeating: "A", count: 4096),
        String(decoding: [0x62, 0xFF, 0xFE, 0xC3, 0x28], as: UTF8.self), "ünïcødé", "",
    ]

    @Test(arguments: [MetricType.counter, .gauge, .info, .untyped])
    func writer_matchesGeneralEncoder_inBothFormats(type: MetricType) {
        let values = Self.hostile.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var writer = SampleLineWriter(name: "lanscope_test_thing", type: type, labelNames: ["mac"])
        var general = MetricFamilyBuilder(
            name: "lanscope_test_thing", help: "Help \"with\" \\ and\nnewline.", type: type, labelNames: ["mac"])
        var pairs = MetricFamilyBuilder(
            name: "lanscope_test_pairs", help: "Two labels.", type: type, labelNames: ["a", "b"])
        var pairWriter = SampleLineWriter(name: "lanscope_test_pairs", type: type, labelNames: ["a", "b"])
        for (i, v) in values.enumerated() {
            let value = [0, 1, 12345, 1793527200.35, 0.1, 1e300][i % 6]
            writer.add(v, value: value)
            general.add(v, value: value)
            pairWriter.add(labelValues: ["x", v], value: value)
            pairs.add("x", v, value: value)
        }
        for format in ExpositionFormat.allCases {
            let a = ExpositionEncoder.encode(
                [writer.build(help: "Help \"with\" \\ and\nnewline."), pairWriter.build(help: "Two labels.")],
                format: format)
            let b = ExpositionEncoder.encode([general.build(), pairs.build()], format: format)
            #expect(a == b, "\(type) \(format)")
        }
    }

    @Test func writer_dropsInvalidCounterValues_andWrongLabelCounts() {
        var writer = SampleLineWriter(name: "lanscope_c", type: .counter, labelNames: ["mac"])
        writer.add("a", value: 1)
        writer.add("b", value: -1)
        writer.add("c", value: .nan)
        writer.add(labelValues: ["d", "e"], value: 2)
        #expect(writer.droppedSamples == 1)
        let encoded = ExpositionEncoder.encodeWithReport([writer.build(help: "h")], format: .prometheusText)
        #expect(
            String(decoding: encoded.bytes, as: UTF8.self)
                == "# HELP lanscope_c_total h\n# TYPE lanscope_c_total counter\nlanscope_c_total{mac=\"a\"} 1\n")
        #expect(encoded.report.droppedSamples == 1)
    }

    @Test func writer_withInvalidNames_isDroppedAndReported() {
        var writer = SampleLineWriter(name: "bad name", type: .gauge, labelNames: ["mac"])
        writer.add("a", value: 1)
        var labels = SampleLineWriter(name: "ok_name", type: .gauge, labelNames: ["__reserved"])
        labels.add("a", value: 1)
        let encoded = ExpositionEncoder.encodeWithReport(
            [writer.build(help: "h"), labels.build(help: "h")], format: .openMetrics)
        #expect(String(decoding: encoded.bytes, as: UTF8.self) == "# EOF\n")
        #expect(encoded.report.droppedFamilies == 2)
    }

    @Test func writer_familyClashingWithAnother_isDropped() {
        var writer = SampleLineWriter(name: "lanscope_x", type: .gauge, labelNames: [])
        writer.add(labelValues: [], value: 1)
        let other = MetricFamily(name: "lanscope_x", help: "h", type: .gauge, samples: [Sample(value: 2)])
        let encoded = ExpositionEncoder.encodeWithReport([other, writer.build(help: "h")], format: .prometheusText)
        #expect(String(decoding: encoded.bytes, as: UTF8.self).hasSuffix("lanscope_x 2\n"))
        #expect(encoded.report.droppedFamilies == 1)
    }
}

@Suite struct SampleLineWriterPreparedTests {
    @Test func preparedLabelValues_matchStringPath() {
        var a = SampleLineWriter(name: "lanscope_p", type: .counter, labelNames: ["mac"])
        var b = SampleLineWriter(name: "lanscope_p", type: .counter, labelNames: ["mac"])
        var c = SampleLineWriter(name: "lanscope_q", type: .counter, labelNames: ["w", "x", "y", "z"])
        var d = SampleLineWriter(name: "lanscope_q", type: .counter, labelNames: ["w", "x", "y", "z"])
        for v in SampleLineWriterTests.hostile.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            a.add(LabelValue(v), value: 7)
            b.add(v, value: 7)
            c.add(LabelValue(v), LabelValue("rx"), LabelValue("ipv4"), LabelValue(v), value: 3)
            d.add(labelValues: [v, "rx", "ipv4", v], value: 3)
        }
        #expect(
            ExpositionEncoder.encode([a.build(help: "h"), c.build(help: "h")], format: .openMetrics)
                == ExpositionEncoder.encode([b.build(help: "h"), d.build(help: "h")], format: .openMetrics))
    }

    /// Values appended in place (strings, nil, and raw bytes written by a closure — invalid UTF-8
    /// and bare CR included) encode exactly as the string path does.
    @Test func appendedLabelValues_matchStringPath() {
        let hostile = SampleLineWriterTests.hostile.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let rawBytes: [[UInt8]] = [
            [0x62, 0xFF, 0xFE, 0xC3, 0x28], Array("a\r\n\"\\".utf8), Array("10.0.0.1".utf8), [],
        ]
        var a = SampleLineWriter(name: "lanscope_r", type: .info, labelNames: ["mac", "s", "raw", "none"])
        var b = SampleLineWriter(name: "lanscope_r", type: .info, labelNames: ["mac", "s", "raw", "none"])
        for (i, v) in hostile.enumerated() {
            let raw = rawBytes[i % rawBytes.count]
            a.add(LabelValue(capacity: 4) { $0.append(contentsOf: v.utf8) }, value: 1) { labels in
                labels.append(v)
                labels.append { $0.append(contentsOf: raw) }
                labels.append(nil)
            }
            b.add(labelValues: [v, v, String(decoding: raw, as: UTF8.self), ""], value: 1)
        }
        #expect(a.droppedSamples == 0)
        for format in ExpositionFormat.allCases {
            #expect(
                ExpositionEncoder.encode([a.build(help: "h")], format: format)
                    == ExpositionEncoder.encode([b.build(help: "h")], format: format))
        }
    }

    /// Too few or too many appended values: the sample is left out whole and counted.
    @Test func appendedLabelValues_wrongCount_dropsTheSampleOnly() {
        var w = SampleLineWriter(name: "lanscope_r", type: .gauge, labelNames: ["mac", "a", "b"])
        w.add(LabelValue("m1"), value: 1) {
            $0.append("x"); $0.append("y")
        }
        w.add(LabelValue("m2"), value: 2) { $0.append("x") }
        w.add(LabelValue("m3"), value: 3) {
            $0.append("x"); $0.append("y"); $0.append("z")
        }
        w.add(LabelValue("m4"), value: 4) {
            $0.append("x"); $0.append { $0.append(contentsOf: "q".utf8) }
        }
        #expect(w.droppedSamples == 2)
        let text = String(
            decoding: ExpositionEncoder.encode([w.build(help: "h")], format: .prometheusText), as: UTF8.self)
        #expect(
            text
                == "# HELP lanscope_r h\n# TYPE lanscope_r gauge\nlanscope_r{mac=\"m1\",a=\"x\",b=\"y\"} 1\nlanscope_r{mac=\"m4\",a=\"x\",b=\"q\"} 4\n"
        )
    }

    @Test(arguments: [
        (Int64(1_793_527_200_350), 3, "1793527200.35"), (1_793_527_200_000, 3, "1793527200"),
        (1_793_527_200_050, 3, "1793527200.05"),
        (5, 3, "0.005"), (-1500, 3, "-1.5"), (0, 0, "0"), (123, 0, "123"), (1_000_000_001, 9, "1.000000001"),
    ])
    func decimalValues_areExact(units: Int64, digits: Int, expected: String) {
        var w = SampleLineWriter(name: "lanscope_t", type: .gauge, labelNames: ["mac"])
        w.add(LabelValue("m"), decimal: units, fractionDigits: digits)
        let text = String(
            decoding: ExpositionEncoder.encode([w.build(help: "h")], format: .prometheusText), as: UTF8.self)
        #expect(text.hasSuffix("lanscope_t{mac=\"m\"} \(expected)\n"))
        #expect(Double(expected) == Double(units) / pow10(digits))
    }

    func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    /// Lines staged in one order (as devices lie in memory) and copied in another (the sorted order)
    /// encode to the same bytes as the family written in sorted order directly; samples the staging
    /// writer refused are reported by the assembled family.
    @Test func appendSample_fromStagingWriter_matchesDirectWriting() {
        let names = ["mac", "hostname"]
        let values = SampleLineWriterTests.hostile.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var direct = SampleLineWriter(name: "lanscope_test", type: .info, labelNames: names)
        for v in values { direct.add(LabelValue(v), value: 1) { $0.append(v + "!") } }
        var staging = SampleLineWriter(name: "lanscope_test", type: .info, labelNames: names)
        var ranges: [String: Range<Int>] = [:]
        for v in values.reversed() {
            let start = staging.byteCount
            staging.add(LabelValue(v), value: 1) { $0.append(v + "!") }
            ranges[v] = start..<staging.byteCount
        }
        staging.add(LabelValue("refused"), value: 1) {
            $0.append("x"); $0.append("one too many")
        }
        var assembled = SampleLineWriter(name: "lanscope_test", type: .info, labelNames: names)
        for v in values { assembled.appendSample(from: staging, bytes: ranges[v]!) }
        assembled.countDropped(of: staging)
        #expect(assembled.droppedSamples == 1)
        for format in ExpositionFormat.allCases {
            let a = ExpositionEncoder.encodeWithReport([assembled.build(help: "h")], format: format)
            let b = ExpositionEncoder.encodeWithReport([direct.build(help: "h")], format: format)
            #expect(a.bytes == b.bytes, "\(format)")
            #expect(a.report.droppedSamples == 1)
            #expect(b.report.droppedSamples == 0)
        }
    }
}
