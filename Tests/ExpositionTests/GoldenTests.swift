import Exposition
import Foundation
import TestSupport
import Testing

/// Byte-exact expositions of `RepresentativeModel`. `LANSCOPE_RECORD_GOLDEN=1` rewrites the files,
/// and such a run always fails so a recording can never pass for a check.
@Suite struct GoldenTests {
    static let recording = ProcessInfo.processInfo.environment["LANSCOPE_RECORD_GOLDEN"] == "1"

    @Test(arguments: [
        (ExpositionFormat.prometheusText, "representative.prom"),
        (ExpositionFormat.openMetrics, "representative.om"),
    ])
    func encoder_matchesGolden_representativeModel(format: ExpositionFormat, file: String) throws {
        let encoded = ExpositionEncoder.encodeWithReport(RepresentativeModel.metricFamilies(), format: format)
        #expect(encoded.report.isClean, "unexpected drops: \(encoded.report)")
        let url = TestFiles.goldenDirectory.appendingPathComponent(file)
        if Self.recording {
            try FileManager.default.createDirectory(at: TestFiles.goldenDirectory, withIntermediateDirectories: true)
            try Data(encoded.bytes).write(to: url)
            Issue.record("recorded \(url.path); unset LANSCOPE_RECORD_GOLDEN and run again")
            return
        }
        let golden = try [UInt8](Data(contentsOf: url))
        let matches = encoded.bytes == golden
        let line = Self.firstDifferingLine(encoded.bytes, golden)
        #expect(matches, "\(file) differs at line \(line); re-record with LANSCOPE_RECORD_GOLDEN=1, review git diff")
    }

    static func firstDifferingLine(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        return a[..<index].filter { $0 == UInt8(ascii: "\n") }.count + 1
    }

    @Test func encoder_outputIsIndependentOfInputOrder_shuffledFamiliesAndSamples() {
        let families = RepresentativeModel.metricFamilies()
        let reference = ExpositionEncoder.encode(families, format: .openMetrics)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<5 {
            let shuffled = families.shuffled(using: &generator).map { family in
                MetricFamily(
                    name: family.name, help: family.help, type: family.type, unit: family.unit,
                    samples: family.samples.shuffled(using: &generator))
            }
            #expect(ExpositionEncoder.encode(shuffled, format: .openMetrics) == reference)
        }
    }

    @Test(arguments: ExpositionFormat.allCases)
    func encoder_outputIsValidUTF8WithoutCR_hostileModel(format: ExpositionFormat) {
        let bytes = ExpositionEncoder.encode(RepresentativeModel.metricFamilies(), format: format)
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        #expect(!bytes.contains(0x0D))
        // Every line is a comment or starts with a demo_ sample name: nothing was injected.
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            #expect(line.hasPrefix("# ") || line.hasPrefix("demo_"), "unexpected line: \(line.prefix(80))")
        }
        #expect(!text.contains("\ninjected"))
    }
}
