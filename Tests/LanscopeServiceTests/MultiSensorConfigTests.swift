import Foundation
import Testing

@testable import LanscopeService

/// The shipped many-sensor and probe configurations pass `promtool check config` where they lie, and the
/// agents' configurations name their sensor as an external label (the end-to-end MultiSensorTests run
/// them against real Prometheus processes).
@Suite struct MultiSensorConfigTests {
    static let directories = ["deploy/multi-sensor", "deploy/prometheus/examples"]

    static func files() -> [URL] {
        directories.flatMap { directory -> [URL] in
            let url = TestPaths.repositoryRoot.appendingPathComponent(directory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            return names.filter { $0.hasSuffix(".yml") }.sorted().map { url.appendingPathComponent($0) }
        }
    }

    @Test func shippedConfigs_passPromtool() throws {
        guard let promtool = which("promtool") else {
            Issue.record("promtool missing: apt-get install prometheus (make deps)")
            return
        }
        let files = Self.files()
        #expect(files.count >= 7, "expected the multi-sensor and probe configurations, found \(files)")
        for file in files {
            let (status, out, err) = try run(promtool, ["check", "config", file.path])
            #expect(status == 0, "\(file.lastPathComponent): \(out)\(err)")
        }
        let central = TestPaths.repositoryRoot.appendingPathComponent("deploy/multi-sensor/central-prometheus.yml")
        let (_, out, _) = try run(promtool, ["check", "config", central.path])
        #expect(out.contains("1 rule files found"), "the central Prometheus does not load lanscope's rules:\n\(out)")
    }

    @Test func agentConfigs_nameTheirSensor_andRemoteWrite() throws {
        let agents = Self.files().filter {
            $0.lastPathComponent.hasPrefix("agent-") || $0.lastPathComponent == "sensor-agent.yml"
        }
        #expect(agents.count == 4)
        for file in agents {
            let text = try String(contentsOf: file, encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init)
            let labels = try #require(lines.firstIndex(of: "  external_labels:"), "\(file.lastPathComponent)")
            let sensor = lines[(labels + 1)...].first { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            #expect(sensor?.hasPrefix("    sensor: ") == true, "\(file.lastPathComponent): \(sensor ?? "-")")
            #expect(text.contains("remote_write:"), "\(file.lastPathComponent)")
            #expect(!text.contains("rule_files"), "\(file.lastPathComponent): agent mode evaluates no rules")
        }
    }
}
