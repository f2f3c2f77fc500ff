import Exposition
import Foundation
import Testing

/// What independent Prometheus tooling makes of our output: promtool (Go parser and linter) and the
/// two parsers of python3-prometheus-client (through Tests/Scripts/check-exposition.py).
@Suite struct ToolingTests {
    @Test func promtool_reportsNoProblems_representativeText() throws {
        let bytes = ExpositionEncoder.encode(RepresentativeModel.metricFamilies(), format: .prometheusText)
        let result = try TestFiles.run("/usr/bin/promtool", ["check", "metrics"], input: bytes)
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "promtool: \(result.stdout) \(result.stderr)")
    }

    @Test func promtool_reportsNoProblems_processMetrics() throws {
        let bytes = ExpositionEncoder.encode(ProcessMetrics.collect(), format: .prometheusText)
        let result = try TestFiles.run("/usr/bin/promtool", ["check", "metrics"], input: bytes)
        #expect(
            result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty,
            "promtool: \(result.stdout) \(result.stderr)")
    }

    @Test func promtool_flagsBrokenInput_sanityOfTheCheck() throws {
        let broken = Array("# TYPE demo_x counter\ndemo_x{a=\"b\" 1\n".utf8)
        let result = try TestFiles.run("/usr/bin/promtool", ["check", "metrics"], input: broken)
        #expect(result.status != 0)
    }

    @Test(arguments: [(ExpositionFormat.prometheusText, "text"), (ExpositionFormat.openMetrics, "openmetrics")])
    func pythonParser_readsBackEverySample_representativeModel(format: ExpositionFormat, name: String) throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exposition = directory.appendingPathComponent("exposition")
        let expected = directory.appendingPathComponent("expected.json")
        try Data(ExpositionEncoder.encode(RepresentativeModel.metricFamilies(), format: format)).write(to: exposition)
        try RepresentativeModel.expectedJSON().write(to: expected)
        let result = try TestFiles.run(
            "/usr/bin/python3",
            [
                TestFiles.checkScript.path, "--format", name,
                "--expected", expected.path, exposition.path,
            ])
        let sampleCount = RepresentativeModel.families.reduce(0) { $0 + $1.rows.count }
        #expect(result.status == 0, "check-exposition: \(result.stderr)")
        #expect(result.stdout == "ok: \(sampleCount) samples\n")
    }

    @Test func pythonParsers_agree_textAndOpenMetrics() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("metrics.prom")
        let openMetrics = directory.appendingPathComponent("metrics.om")
        let families = RepresentativeModel.metricFamilies() + ProcessMetrics.collect()
        try Data(ExpositionEncoder.encode(families, format: .prometheusText)).write(to: text)
        try Data(ExpositionEncoder.encode(families, format: .openMetrics)).write(to: openMetrics)
        let result = try TestFiles.run(
            "/usr/bin/python3", [TestFiles.checkScript.path, "--compare", text.path, openMetrics.path])
        #expect(result.status == 0, "check-exposition: \(result.stderr)")
    }

    @Test func pythonCheck_failsOnInjectedSeries_sanityOfTheCheck() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exposition = directory.appendingPathComponent("exposition")
        let expected = directory.appendingPathComponent("expected.json")
        var bytes = ExpositionEncoder.encode(RepresentativeModel.metricFamilies(), format: .prometheusText)
        bytes.append(contentsOf: "injected_total 1\n".utf8)
        try Data(bytes).write(to: exposition)
        try RepresentativeModel.expectedJSON().write(to: expected)
        let result = try TestFiles.run(
            "/usr/bin/python3",
            [
                TestFiles.checkScript.path, "--format", "text",
                "--expected", expected.path, exposition.path,
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("unexpected ('injected_total'"))
    }
}
