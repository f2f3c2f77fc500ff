import Exposition
import TestSupport
import Testing

@Suite struct EncoderTests {
    private func text(_ families: [MetricFamily], _ format: ExpositionFormat) -> String {
        String(decoding: ExpositionEncoder.encode(families, format: format), as: UTF8.self)
    }

    @Test func counter_namesMetadataPerFormat_baseNameGiven() {
        let family = MetricFamily(
            name: "demo_requests", help: "Requests.", type: .counter,
            samples: [Sample(["code": "200"], value: 3)])
        #expect(
            text([family], .prometheusText) == """
                # HELP demo_requests_total Requests.
                # TYPE demo_requests_total counter
                demo_requests_total{code="200"} 3

                """)
        #expect(
            text([family], .openMetrics) == """
                # TYPE demo_requests counter
                # HELP demo_requests Requests.
                demo_requests_total{code="200"} 3
                # EOF

                """)
    }

    @Test func counter_sameOutput_nameGivenWithTotalSuffix() {
        let a = MetricFamily(name: "demo_x", help: "X.", type: .counter, samples: [Sample(value: 1)])
        let b = MetricFamily(name: "demo_x_total", help: "X.", type: .counter, samples: [Sample(value: 1)])
        #expect(b.name == "demo_x")
        for format in ExpositionFormat.allCases {
            #expect(text([a], format) == text([b], format))
        }
    }

    @Test func info_isGaugeInTextAndInfoInOpenMetrics_valueAlwaysOne() {
        let family = MetricFamily(
            name: "demo_build", help: "Build.", type: .info,
            samples: [Sample(["version": "1.2"], value: 5)])
        #expect(
            text([family], .prometheusText) == """
                # HELP demo_build_info Build.
                # TYPE demo_build_info gauge
                demo_build_info{version="1.2"} 1

                """)
        #expect(
            text([family], .openMetrics) == """
                # TYPE demo_build info
                # HELP demo_build Build.
                demo_build_info{version="1.2"} 1
                # EOF

                """)
    }

    @Test func untyped_isUnknownInOpenMetrics() {
        let family = MetricFamily(name: "demo_u", help: "U.", type: .untyped, samples: [Sample(value: 2)])
        #expect(text([family], .prometheusText).contains("# TYPE demo_u untyped\n"))
        #expect(text([family], .openMetrics).contains("# TYPE demo_u unknown\n"))
    }

    @Test(arguments: [
        ("demo_latency_seconds", "seconds", MetricType.gauge, true),
        ("demo_latency", "seconds", .gauge, false),
        ("demo_latency_milliseconds", "seconds", .gauge, false),
        ("demo_sent_bytes", "bytes", .counter, true),
        ("demo_meta_bytes", "bytes", .info, false),
        ("demo_latency_seconds", "", .gauge, false),
    ])
    func unit_printedOnlyInOpenMetricsWhenNameEndsWithIt(name: String, unit: String, type: MetricType, printed: Bool) {
        let family = MetricFamily(name: name, help: "H.", type: type, unit: unit, samples: [Sample(value: 1)])
        #expect(text([family], .openMetrics).contains("# UNIT \(name) \(unit)\n") == printed)
        #expect(!text([family], .prometheusText).contains("# UNIT"))
    }

    @Test func families_sortedByName_samplesByLabelValues() {
        let families = [
            MetricFamily(
                name: "demo_b", help: "B.", type: .gauge,
                samples: [
                    Sample(["k": "z"], value: 1), Sample(["k": "a"], value: 2), Sample(["k": "aa"], value: 3),
                    Sample(["k": "B"], value: 4),
                ]),
            MetricFamily(name: "demo_a", help: "A.", type: .gauge, samples: [Sample(value: 0)]),
        ]
        #expect(
            text(families, .prometheusText) == """
                # HELP demo_a A.
                # TYPE demo_a gauge
                demo_a 0
                # HELP demo_b B.
                # TYPE demo_b gauge
                demo_b{k="B"} 4
                demo_b{k="a"} 2
                demo_b{k="aa"} 3
                demo_b{k="z"} 1

                """)
    }

    @Test func samples_sortedLabelByLabel_callerLabelOrderKept() {
        let family = MetricFamily(
            name: "demo_m", help: "M.", type: .gauge,
            samples: [
                Sample(["mac": "02", "ip": "10.0.0.1"], value: 1),
                Sample(["mac": "01", "ip": "10.0.0.9"], value: 2),
                Sample(["mac": "01", "ip": "10.0.0.2"], value: 3),
            ])
        let lines = text([family], .prometheusText).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            lines == [
                #"demo_m{mac="01",ip="10.0.0.2"} 3"#, #"demo_m{mac="01",ip="10.0.0.9"} 2"#,
                #"demo_m{mac="02",ip="10.0.0.1"} 1"#,
            ])
    }

    @Test func duplicateFamilies_mergedWhenTypesMatch_firstHelpWins() {
        let families = [
            MetricFamily(name: "demo_d", help: "First.", type: .gauge, samples: [Sample(["k": "b"], value: 2)]),
            MetricFamily(name: "demo_d", help: "Second.", type: .gauge, samples: [Sample(["k": "a"], value: 1)]),
        ]
        let encoded = ExpositionEncoder.encodeWithReport(families, format: .prometheusText)
        #expect(encoded.report.isClean)
        #expect(
            String(decoding: encoded.bytes, as: UTF8.self) == """
                # HELP demo_d First.
                # TYPE demo_d gauge
                demo_d{k="a"} 1
                demo_d{k="b"} 2

                """)
    }

    @Test func duplicateFamilies_laterDroppedAndCounted_typesDiffer() {
        let families = [
            MetricFamily(name: "demo_d", help: "Gauge.", type: .gauge, samples: [Sample(value: 1)]),
            MetricFamily(
                name: "demo_d", help: "Counter.", type: .counter,
                samples: [Sample(value: 2), Sample(["a": "b"], value: 3)]),
        ]
        let encoded = ExpositionEncoder.encodeWithReport(families, format: .openMetrics)
        #expect(encoded.report.droppedFamilies == 1)
        #expect(encoded.report.droppedSamples == 2)
        #expect(encoded.report.problems == [.conflictingType(family: "demo_d", kept: .gauge, dropped: .counter)])
        #expect(
            String(decoding: encoded.bytes, as: UTF8.self)
                == "# TYPE demo_d gauge\n# HELP demo_d Gauge.\ndemo_d 1\n# EOF\n")
    }

    @Test func clashingNames_laterFamilyDropped_gaugeNamedLikeCounterSamples() {
        let families = [
            MetricFamily(
                name: "demo_c_total", help: "Gauge with a counter's name.", type: .gauge, samples: [Sample(value: 1)]),
            MetricFamily(name: "demo_c", help: "Counter.", type: .counter, samples: [Sample(value: 2)]),
        ]
        let encoded = ExpositionEncoder.encodeWithReport(families, format: .prometheusText)
        #expect(encoded.report.droppedFamilies == 1)
        #expect(encoded.report.problems == [.clashingName(family: "demo_c_total", name: "demo_c_total")])
        #expect(String(decoding: encoded.bytes, as: UTF8.self).contains("demo_c_total 2\n"))
    }

    @Test func invalidNames_droppedAndCounted_neverTrap() {
        let families = [
            MetricFamily(name: "bad-name", help: "H.", type: .gauge, samples: [Sample(value: 1), Sample(value: 2)]),
            MetricFamily(
                name: "demo_ok", help: "H.", type: .gauge,
                samples: [
                    Sample(["__reserved": "x"], value: 1), Sample(["bad:label": "x"], value: 2),
                    Sample(["good": "x"], value: 3),
                    Sample(labels: [Label("good", "1"), Label("good", "2")], value: 4),
                ]),
            MetricFamily(name: "", help: "H.", type: .counter),
        ]
        let encoded = ExpositionEncoder.encodeWithReport(families, format: .openMetrics)
        #expect(encoded.report.droppedFamilies == 2)
        #expect(encoded.report.droppedSamples == 5)
        #expect(
            Set(encoded.report.problems) == [
                .invalidMetricName("bad-name"), .invalidMetricName(""),
                .invalidLabelName(family: "demo_ok", label: "__reserved"),
                .invalidLabelName(family: "demo_ok", label: "bad:label"),
                .duplicateLabelName(family: "demo_ok", label: "good"),
            ])
        #expect(
            String(decoding: encoded.bytes, as: UTF8.self)
                == "# TYPE demo_ok gauge\n# HELP demo_ok H.\ndemo_ok{good=\"x\"} 3\n# EOF\n")
    }

    @Test func invalidUnit_omittedAndReported_familyKept() {
        let family = MetricFamily(name: "demo_x_bad-unit", help: "H.", type: .gauge, unit: "bad-unit", samples: [])
        #expect(throws: ExpositionError.invalidMetricName("demo_x_bad-unit")) { try family.validate() }
        let other = MetricFamily(name: "demo_y", help: "H.", type: .gauge, unit: "a b", samples: [Sample(value: 1)])
        #expect(throws: ExpositionError.invalidUnit(family: "demo_y", unit: "a b")) { try other.validate() }
        let encoded = ExpositionEncoder.encodeWithReport([other], format: .openMetrics)
        #expect(encoded.report.droppedSamples == 0)
        #expect(!String(decoding: encoded.bytes, as: UTF8.self).contains("UNIT"))
    }

    @Test func counterValues_NaNAndNegativeDropped_infinityKept() {
        let family = MetricFamily(
            name: "demo_c", help: "H.", type: .counter,
            samples: [
                Sample(["k": "nan"], value: .nan), Sample(["k": "neg"], value: -1),
                Sample(["k": "ninf"], value: -.infinity),
                Sample(["k": "inf"], value: .infinity), Sample(["k": "ok"], value: 2),
            ])
        let encoded = ExpositionEncoder.encodeWithReport([family], format: .openMetrics)
        #expect(encoded.report.droppedSamples == 3)
        #expect(
            String(decoding: encoded.bytes, as: UTF8.self).hasSuffix(
                "demo_c_total{k=\"inf\"} +Inf\ndemo_c_total{k=\"ok\"} 2\n# EOF\n"))
    }

    @Test func duplicateSeries_firstGivenKept_laterDropped() {
        let family = MetricFamily(
            name: "demo_g", help: "H.", type: .gauge,
            samples: [
                Sample(["k": "b"], value: 1), Sample(["k": "a"], value: 2), Sample(["k": "b"], value: 3),
            ])
        let encoded = ExpositionEncoder.encodeWithReport([family], format: .prometheusText)
        #expect(encoded.report.droppedSamples == 1)
        #expect(encoded.report.problems == [.duplicateSeries(family: "demo_g")])
        #expect(String(decoding: encoded.bytes, as: UTF8.self).hasSuffix("demo_g{k=\"a\"} 2\ndemo_g{k=\"b\"} 1\n"))
    }

    @Test func duplicateSeries_detectedRegardlessOfLabelOrder() {
        let family = MetricFamily(
            name: "demo_g", help: "H.", type: .gauge,
            samples: [
                Sample(labels: [Label("a", "1"), Label("b", "2")], value: 1),
                Sample(labels: [Label("b", "2"), Label("a", "1")], value: 2),
                Sample(labels: [Label("b", "3")], value: 3),
            ])
        let encoded = ExpositionEncoder.encodeWithReport([family], format: .prometheusText)
        #expect(encoded.report.droppedSamples == 1)
        let body = String(decoding: encoded.bytes, as: UTF8.self)
        #expect(body.contains("demo_g{a=\"1\",b=\"2\"} 1\n"))
        #expect(!body.contains("} 2\n"))
    }

    @Test func duplicateSeries_sameLabelsDifferentValueBytes_notMerged() {
        let family = MetricFamily(
            name: "demo_g", help: "H.", type: .gauge,
            samples: [
                Sample(["k": "a\u{0}b"], value: 1), Sample(["k": "a"], value: 2), Sample(["k": "a\u{0}"], value: 3),
            ])
        let encoded = ExpositionEncoder.encodeWithReport([family], format: .prometheusText)
        #expect(encoded.report.isClean)
    }

    @Test func builder_dropsAndReportsRows_wrongLabelCount() {
        var builder = MetricFamilyBuilder(name: "demo_b", help: "H.", type: .counter, labelNames: ["mac", "ip"])
        builder.add("m1", "i1", value: 1)
        builder.add("m2", value: 2)
        builder.add(labelValueBytes: [[0x6D, 0xFF], [0x69]], value: 3)
        #expect(builder.count == 2)
        #expect(builder.droppedRows == 1)
        let family = builder.build()
        #expect(
            family.samples == [
                Sample(["mac": "m1", "ip": "i1"], value: 1), Sample(["mac": "m\u{FFFD}", "ip": "i"], value: 3),
            ])
        #expect(throws: ExpositionError.labelCountMismatch(family: "demo_b", expected: 2, got: 1)) {
            try family.validate()
        }
        let encoded = ExpositionEncoder.encodeWithReport([family], format: .prometheusText)
        #expect(encoded.report.droppedSamples == 1)
        #expect(encoded.report.droppedFamilies == 0)
    }

    @Test func builder_matchesSampleInitialiser_sameOutput() {
        var builder = MetricFamilyBuilder(name: "demo_b", help: "H.", type: .gauge, unit: nil, labelNames: ["mac"])
        builder.add("b", value: 2)
        builder.add("a", value: 1)
        let viaSamples = MetricFamily(
            name: "demo_b", help: "H.", type: .gauge,
            samples: [Sample(["mac": "b"], value: 2), Sample(["mac": "a"], value: 1)])
        for format in ExpositionFormat.allCases {
            #expect(
                ExpositionEncoder.encode([builder.build()], format: format)
                    == ExpositionEncoder.encode([viaSamples], format: format))
        }
    }

    @Test func emptyInput_yieldsEmptyTextAndBareEOF() {
        #expect(ExpositionEncoder.encode([], format: .prometheusText) == [])
        #expect(text([], .openMetrics) == "# EOF\n")
    }

    @Test func validate_passes_representativeModel() throws {
        for family in RepresentativeModel.metricFamilies() { try family.validate() }
    }
}

@Suite struct EncoderOrderingTests {
    /// Label values drawn from an alphabet that stresses the sort: NUL, bytes above 0x7F, shared
    /// prefixes longer than the 24-byte sort key, and prefix relations between values.
    static func randomValue(_ generator: inout SplitMix64) -> String {
        let alphabet: [String] = ["\u{0}", "a", "b", "A", "\u{E9}", "\u{1F389}", "-", ":", "\"", "\\", "\n"]
        let sharedPrefix = Bool.random(using: &generator) ? String(repeating: "p", count: 26) : ""
        let length = Int.random(in: 0...6, using: &generator)
        return sharedPrefix + (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
    }

    @Test func samples_sortedByValueBytes_randomValuesWithTrickyBytes() {
        var generator = SplitMix64(seed: 11)
        for round in 0..<20 {
            var values = Set<String>()
            while values.count < 200 { values.insert(Self.randomValue(&generator)) }
            let shuffled = Array(values).shuffled(using: &generator)
            let family = MetricFamily(
                name: "demo_sort", help: "H.", type: .gauge,
                samples: shuffled.enumerated().map { Sample(["k": $0.element, "i": "\($0.offset)"], value: 1) })
            let encoded = ExpositionEncoder.encodeWithReport([family], format: .prometheusText)
            #expect(encoded.report.isClean)
            let expected = values.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                .map { "demo_sort{k=\"" + Escaping.escapedLabelValue($0) + "\"," }
            let lines = String(decoding: encoded.bytes, as: UTF8.self).split(separator: "\n").dropFirst(2)
            let actual = lines.map { String($0[..<($0.firstRange(of: "\",i=")?.lowerBound ?? $0.endIndex)]) + "\"," }
            #expect(actual == expected, "round \(round)")
        }
    }

    @Test func samples_sortedDeterministically_mixedLabelSets() {
        var generator = SplitMix64(seed: 12)
        var samples: [Sample] = []
        for i in 0..<300 {
            var labels: [Label] = []
            if Bool.random(using: &generator) { labels.append(Label("b", Self.randomValue(&generator))) }
            if Bool.random(using: &generator) { labels.append(Label("a", Self.randomValue(&generator))) }
            labels.append(Label("n", "\(i)"))
            samples.append(Sample(labels: labels, value: Double(i)))
        }
        let reference = ExpositionEncoder.encode(
            [MetricFamily(name: "demo_m", help: "H.", type: .gauge, samples: samples)],
            format: .openMetrics)
        for _ in 0..<5 {
            let family = MetricFamily(
                name: "demo_m", help: "H.", type: .gauge, samples: samples.shuffled(using: &generator))
            #expect(ExpositionEncoder.encode([family], format: .openMetrics) == reference)
        }
    }
}

@Suite struct BuilderEdgeTests {
    @Test func builder_dropsRowsWithoutTrapping_labelNameGivenTwice() {
        var builder = MetricFamilyBuilder(name: "demo_twice", help: "H.", type: .gauge, labelNames: ["mac", "mac"])
        builder.add("a", "b", value: 1)
        let encoded = ExpositionEncoder.encodeWithReport([builder.build()], format: .prometheusText)
        #expect(encoded.report.droppedSamples == 1)
        #expect(encoded.report.problems == [.duplicateLabelName(family: "demo_twice", label: "mac")])
    }

    @Test func builder_dropsRowsWithoutTrapping_invalidLabelNames() {
        var builder = MetricFamilyBuilder(name: "demo_bad", help: "H.", type: .counter, labelNames: ["ok", "not ok"])
        builder.add("a", "b", value: 1)
        builder.add(labelValueBytes: [[0xFF], [0xFE]], value: 2)
        let encoded = ExpositionEncoder.encodeWithReport([builder.build()], format: .openMetrics)
        #expect(encoded.report.droppedSamples == 2)
        #expect(
            String(decoding: encoded.bytes, as: UTF8.self) == "# TYPE demo_bad counter\n# HELP demo_bad H.\n# EOF\n")
    }
}

@Suite struct SharedOrderTests {
    /// Families built in one loop share their label columns; the encoder reuses the first one's order.
    /// Each must still print its own values against the right labels.
    @Test func familiesWithSameLabels_eachKeepTheirOwnValues() {
        let macs = ["c", "a", "b", "a"]
        var families: [MetricFamily] = []
        for (f, name) in ["demo_one", "demo_two", "demo_three"].enumerated() {
            var builder = MetricFamilyBuilder(name: name, help: "H.", type: .counter, labelNames: ["mac"])
            for (i, mac) in macs.enumerated() { builder.add(mac, value: Double(f * 100 + i)) }
            families.append(builder.build())
        }
        // Same labels but one value invalid: its kept set differs, so its order is computed afresh.
        var nan = MetricFamilyBuilder(name: "demo_two_nan", help: "H.", type: .counter, labelNames: ["mac"])
        for (i, mac) in macs.enumerated() { nan.add(mac, value: i == 2 ? .nan : Double(i)) }
        families.append(nan.build())
        let encoded = ExpositionEncoder.encodeWithReport(families, format: .prometheusText)
        let samples = String(decoding: encoded.bytes, as: UTF8.self).split(separator: "\n").filter {
            !$0.hasPrefix("#")
        }
        #expect(
            samples == [
                #"demo_one_total{mac="a"} 1"#, #"demo_one_total{mac="b"} 2"#, #"demo_one_total{mac="c"} 0"#,
                #"demo_three_total{mac="a"} 201"#, #"demo_three_total{mac="b"} 202"#, #"demo_three_total{mac="c"} 200"#,
                #"demo_two_total{mac="a"} 101"#, #"demo_two_total{mac="b"} 102"#, #"demo_two_total{mac="c"} 100"#,
                #"demo_two_nan_total{mac="a"} 1"#, #"demo_two_nan_total{mac="c"} 0"#,
            ])
        // Every family had the duplicate "a" (the later one dropped); demo_two_nan also lost its NaN.
        #expect(encoded.report.droppedSamples == 5)
        #expect(
            Set(encoded.report.problems) == [
                .duplicateSeries(family: "demo_one"), .duplicateSeries(family: "demo_three"),
                .duplicateSeries(family: "demo_two"), .duplicateSeries(family: "demo_two_nan"),
                .invalidCounterValue(family: "demo_two_nan", value: "nan"),
            ])
    }
}
