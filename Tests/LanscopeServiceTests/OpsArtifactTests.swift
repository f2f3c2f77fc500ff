import Foundation
import HTTPServer
import Logging
import Testing

@testable import LanscopeService

/// The shipped operator artifacts — alerting rules, dashboards, Prometheus/Alertmanager configuration —
/// checked with the real tools (promtool, amtool) and against a real Prometheus and Alertmanager fed by
/// an in-process lanscope replaying the sample capture.
@Suite(.serialized) struct OpsArtifactTests {
    static let root = TestPaths.repositoryRoot
    static let rules = root.appendingPathComponent("alerting-rules/lanscope.rules.yml").path
    static let rulesTest = root.appendingPathComponent("alerting-rules/tests/lanscope.rules.test.yml").path
    static let dashboards = root.appendingPathComponent("dashboards")
    static let prometheusConfig = root.appendingPathComponent("deploy/prometheus/prometheus.yml").path
    static let alertmanagerConfig = root.appendingPathComponent("deploy/alertmanager/alertmanager.yml").path

    @Test func alertingRules_passPromtoolCheckAndUnitTests() throws {
        guard let promtool = which("promtool") else {
            Issue.record("promtool missing: apt-get install prometheus (make deps)")
            return
        }
        let (checkStatus, checkOut, checkErr) = try run(promtool, ["check", "rules", Self.rules])
        #expect(checkStatus == 0, "promtool check rules failed:\n\(checkOut)\(checkErr)")
        let (testStatus, testOut, testErr) = try run(promtool, ["test", "rules", Self.rulesTest])
        #expect(testStatus == 0, "promtool test rules failed:\n\(testOut)\(testErr)")
        #expect(testOut.contains("SUCCESS"), "promtool test rules reported no success:\n\(testOut)\(testErr)")
    }

    @Test func alertingRules_everyAlertHasUnitTestAndMetadata() throws {
        let text = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let tests = try String(contentsOfFile: Self.rulesTest, encoding: .utf8)
        let blocks = OpsText.alertBlocks(text)
        #expect(blocks.count >= 10, "expected at least 10 alerts, found \(blocks.map(\.name))")
        let tested = Set(OpsText.captures(#"alertname:\s*(\w+)"#, in: tests))
        for block in blocks {
            #expect(tested.contains(block.name), "alert \(block.name) has no promtool unit test")
            for key in ["for:", "severity:", "summary:", "description:", "runbook_url:"] {
                #expect(block.body.contains(key), "alert \(block.name) lacks \(key)")
            }
            let anchor = "README.md#runbook-\(block.name.lowercased())"
            #expect(block.body.contains(anchor), "alert \(block.name) runbook_url should point at \(anchor)")
        }
        // Each tested alert needs a moment where it must stay silent and one where it must fire.
        for name in tested {
            let evaluations = OpsText.evaluations(tests, alert: name)
            #expect(evaluations.contains(where: { !$0 }), "alert \(name) is never tested silent")
            #expect(evaluations.contains(where: { $0 }), "alert \(name) is never tested firing")
        }
    }

    @Test func opsArtifacts_referenceOnlyExportedMetrics() throws {
        let golden = try String(
            contentsOf: TestPaths.goldenDirectory.appendingPathComponent("metrics.prom"), encoding: .utf8)
        var known = OpsText.exposedNames(golden)
        #expect(known.contains("lanscope_device_info"), "golden exposition lists no lanscope_device_info")
        // The golden file is rendered without process metrics; take their names from a live exposition.
        let service = try Service(
            configuration: ServiceConfiguration(source: .file(TestPaths.sampleCapture)),
            logger: Logger(label: "test"))
        service.runCaptureInline()
        let live = String(decoding: get(service, "/metrics").body, as: UTF8.self)
        let processNames = OpsText.exposedNames(live).filter { $0.hasPrefix("process_") }
        #expect(!processNames.isEmpty, "the live exposition has no process_* metrics")
        known.formUnion(processNames)
        let rulesText = try String(contentsOfFile: Self.rules, encoding: .utf8)
        known.formUnion(OpsText.recordingRules(rulesText).keys)

        var sources = ["alerting-rules/lanscope.rules.yml": OpsText.metricNames(in: rulesText)]
        for dashboard in try OpsDashboard.loadAll(from: Self.dashboards) {
            sources[dashboard.file] = Set(
                (dashboard.queries.map(\.expr) + dashboard.variables).flatMap { OpsText.metricNames(in: $0) })
        }
        #expect(sources.count >= 2, "no dashboards found in dashboards/")
        for (file, names) in sources.sorted(by: { $0.key < $1.key }) {
            #expect(!names.isEmpty, "\(file) references no lanscope metric")
            for name in names.sorted() where !known.contains(name) {
                Issue.record("\(file) references \(name), which lanscope does not export")
            }
        }
    }

    @Test func deployConfigs_passPromtoolAmtoolAndSystemdChecks() throws {
        guard let promtool = which("promtool"), let amtool = which("amtool") else {
            Issue.record("promtool or amtool missing: apt-get install prometheus prometheus-alertmanager (make deps)")
            return
        }
        // Recreate the layout the Prometheus example expects: rules two levels up, credentials in secrets/.
        let dir = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let promDir = dir.appendingPathComponent("deploy/prometheus")
        try fm.createDirectory(at: promDir.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("alerting-rules"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.prometheusConfig, toPath: promDir.appendingPathComponent("prometheus.yml").path)
        try fm.copyItem(
            atPath: Self.rules, toPath: dir.appendingPathComponent("alerting-rules/lanscope.rules.yml").path)
        try "example-token\n".write(
            to: promDir.appendingPathComponent("secrets/lanscope.token"), atomically: true, encoding: .utf8)
        try "example-password\n".write(
            to: promDir.appendingPathComponent("secrets/lanscope.password"), atomically: true, encoding: .utf8)
        let (promStatus, promOut, promErr) = try run(
            promtool, ["check", "config", promDir.appendingPathComponent("prometheus.yml").path])
        #expect(promStatus == 0, "promtool check config failed:\n\(promOut)\(promErr)")
        #expect(
            promOut.contains("1 rule files found"),
            "the Prometheus example does not load the shipped rules:\n\(promOut)")
        let (amStatus, amOut, amErr) = try run(amtool, ["check-config", Self.alertmanagerConfig])
        #expect(amStatus == 0, "amtool check-config failed:\n\(amOut)\(amErr)")

        // systemd-analyze verify insists that ExecStart exists, so the copy runs /bin/true; unknown keys are
        // only warnings, so any output counts as a failure.
        guard let analyze = which("systemd-analyze") else {
            print("systemd-analyze not installed: the systemd unit is not verified")
            return
        }
        let unit = try String(contentsOf: Self.root.appendingPathComponent("deploy/lanscope.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/lanscope run $LANSCOPE_OPTIONS"))
        #expect(unit.contains(#"Environment="LANSCOPE_OPTIONS=--interface eth0 --mode gateway --listen :9184""#))
        let copy = dir.appendingPathComponent("lanscope.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/lanscope", with: "/bin/true").write(
            to: copy, atomically: true, encoding: .utf8)
        let (unitStatus, unitOut, unitErr) = try run(analyze, ["verify", copy.path])
        #expect(unitStatus == 0 && unitOut.isEmpty && unitErr.isEmpty, "systemd-analyze verify:\n\(unitOut)\(unitErr)")
    }

    /// Prometheus scrapes two in-process lanscopes (the sample LAN, and a capture whose DHCP frame is cut
    /// short so that decode errors exist), evaluates the shipped rules and sends alerts to Alertmanager,
    /// which delivers them to a webhook served here.
    @Test(.timeLimit(.minutes(2))) func realPrometheus_answersEveryDashboardQueryAndDeliversNewDeviceAlert() throws {
        guard let prometheus = which("prometheus"), let alertmanager = which("prometheus-alertmanager") else {
            Issue.record(
                "prometheus or prometheus-alertmanager missing: apt-get install prometheus prometheus-alertmanager (make deps)"
            )
            return
        }
        let dir = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        let lan = try Service(configuration: Self.replay(TestPaths.sampleCapture), logger: Logger(label: "test"))
        lan.runCaptureInline()
        let lanPort = try #require(try lan.startServerOnly().first)
        defer { lan.stop() }
        let badFrames = dir.appendingPathComponent("bad-frames.pcap")
        try Data(OpsCapture.truncatedDHCP()).write(to: badFrames)
        let bad = try Service(configuration: Self.replay(badFrames.path), logger: Logger(label: "test"))
        bad.runCaptureInline()
        let badPort = try #require(try bad.startServerOnly().first)
        defer { bad.stop() }

        let webhook = OpsWebhook()
        let hookPort = try webhook.start()
        defer { webhook.stop() }

        let amPort = freeLoopbackPort()
        let alertmanagerYAML = """
            route:
              receiver: test
              group_by: [alertname, sensor]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: test
                webhook_configs:
                  - url: http://127.0.0.1:\(hookPort)/lanscope
            """
        try alertmanagerYAML.write(
            to: dir.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)
        let am = try OpsDaemon(
            alertmanager,
            [
                "--config.file=\(dir.path)/alertmanager.yml", "--storage.path=\(dir.path)/am",
                "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address=", "--log.level=warn",
            ], log: dir.appendingPathComponent("alertmanager.log"))
        defer { am.stop() }

        let promPort = freeLoopbackPort()
        let prometheusYAML = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
              - \(Self.rules)
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:\(amPort)']
            scrape_configs:
              - job_name: lanscope
                static_configs:
                  - targets: ['127.0.0.1:\(lanPort)']
                    labels:
                      sensor: lan
                  - targets: ['127.0.0.1:\(badPort)']
                    labels:
                      sensor: bad-frames
            """
        try prometheusYAML.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let prom = try OpsDaemon(
            prometheus,
            [
                "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/data",
                "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn",
            ], log: dir.appendingPathComponent("prometheus.log"))
        defer { prom.stop() }
        let api = OpsPrometheusAPI(port: promPort)

        // Bounded wait: both targets scraped a few times and the recording rules evaluated over them.
        let ready = OpsWait.until(seconds: 40) {
            (api.query(#"count(up{job="lanscope"} == 1)"#)?.first?.value == "2")
                && (api.query(#"count(count_over_time(lanscope_capture_up[1m]) >= 4)"#)?.first?.value == "2")
                && !(api.query("mac:lanscope_device_transmitted_bytes:rate5m")?.isEmpty ?? true)
        }
        #expect(ready, "Prometheus never scraped both lanscopes and evaluated the rules; log:\n\(prom.logTail())")
        guard ready else { return }

        // Families lanscope declares but has no samples for in replay mode (no BPF maps, nothing dropped):
        // a query over only those may be empty; it must still be valid PromQL.
        var sampleless = Set<String>()
        for service in [lan, bad] {
            let text = String(decoding: get(service, "/metrics").body, as: UTF8.self)
            sampleless.formUnion(OpsText.exposedNames(text).subtracting(OpsText.sampledNames(text)))
        }
        #expect(
            sampleless.contains("lanscope_bpf_map_entries"), "replay mode exposes BPF maps now: drop this exception")
        let recording = OpsText.recordingRules(try String(contentsOfFile: Self.rules, encoding: .utf8))

        let substitutions = [
            ("$__rate_interval", "1m"), ("$__range", "5m"), ("${datasource}", ""), ("$datasource", ""),
            ("$job", "lanscope"), ("$sensor", ".*"), ("$instance", ".*"), ("$mac", "b8:27:eb:01:02:03"),
        ]
        var checked = 0
        var emptyByNature: [String] = []
        for dashboard in try OpsDashboard.loadAll(from: Self.dashboards) {
            for query in dashboard.queries {
                var expr = query.expr
                for (from, to) in substitutions { expr = expr.replacingOccurrences(of: from, with: to) }
                #expect(!expr.contains("$"), "\(dashboard.file) \(query.panel): unsubstituted variable in \(expr)")
                guard let result = api.query(expr) else {
                    Issue.record("\(dashboard.file) \(query.panel): Prometheus rejected \(expr): \(api.lastError)")
                    continue
                }
                checked += 1
                if !result.isEmpty { continue }
                let names = OpsText.metricNames(in: expr).flatMap { recording[$0] ?? [$0] }
                let lanscopeNames = names.filter { $0.hasPrefix("lanscope_") }
                if !lanscopeNames.isEmpty, lanscopeNames.allSatisfy({ sampleless.contains($0) }) {
                    emptyByNature.append(query.panel)
                    continue
                }
                Issue.record("\(dashboard.file) \(query.panel): no data for \(expr)")
            }
        }
        #expect(checked >= 30, "only \(checked) dashboard queries were evaluated")
        print(
            "dashboard queries evaluated: \(checked); empty because replay mode has no samples for them: \(emptyByNature)"
        )
        // The variable queries list what the dashboard offers.
        #expect(api.labelValues("mac", match: "lanscope_device_info").contains("b8:27:eb:01:02:03"))
        #expect(Set(api.labelValues("sensor", match: "lanscope_build_info")) == ["lan", "bad-frames"])

        // The sample has 7 new_device events: one alert per device for that sensor, each naming the device and
        // the sensor in its rendered description.
        func newDeviceAlerts() -> [[String: Any]] {
            api.alerts().filter { alert in
                let labels = alert["labels"] as? [String: String]
                return labels?["alertname"] == "LanscopeNewDevice" && labels?["sensor"] == "lan"
            }
        }
        _ = OpsWait.until(seconds: 20) {
            newDeviceAlerts().filter { ($0["state"] as? String) == "firing" }.count == 7
        }
        let newDevices = newDeviceAlerts()
        #expect(newDevices.count == 7, "LanscopeNewDevice alerts: \(newDevices)")
        let alert = try #require(
            newDevices.first { ($0["labels"] as? [String: String])?["mac"] == "b8:27:eb:01:02:03" },
            "no LanscopeNewDevice for the Raspberry Pi; alerts: \(api.alerts())")
        #expect(["firing", "pending"].contains(alert["state"] as? String))
        #expect((alert["labels"] as? [String: String])?["hostname"] == "raspberrypi")
        let annotations = alert["annotations"] as? [String: String]
        let description = annotations?["description"] ?? ""
        #expect(description.hasPrefix("New device b8:27:eb:01:02:03 (raspberrypi, "), "description: \(description)")
        #expect(description.contains("(sensor lan)"), "description: \(description)")
        let others = api.alerts().compactMap { ($0["labels"] as? [String: String])?["alertname"] }.filter {
            $0 != "LanscopeNewDevice"
        }
        #expect(others.isEmpty, "unexpected alerts on a healthy replay: \(others)")

        // Alertmanager delivers the alert to the webhook.
        let delivered = OpsWait.until(seconds: 30) {
            webhook.bodies().contains { $0.contains("\"LanscopeNewDevice\"") && $0.contains("\"sensor\":\"lan\"") }
        }
        #expect(
            delivered,
            "the webhook never received LanscopeNewDevice; got \(webhook.bodies().count) posts; alertmanager log:\n\(am.logTail())"
        )
        if let body = webhook.bodies().first(where: {
            $0.contains("\"LanscopeNewDevice\"") && $0.contains("\"sensor\":\"lan\"")
        }),
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        {
            #expect(object["status"] as? String == "firing")
            let alerts = object["alerts"] as? [[String: Any]] ?? []
            let labels = alerts.first?["labels"] as? [String: String]
            #expect(labels?["severity"] == "info")
            #expect(labels?["kind"] == "new_device")
            #expect(
                (alerts.first?["annotations"] as? [String: String])?["runbook_url"]?.hasSuffix(
                    "#runbook-lanscopenewdevice") == true)
        }
    }

    static func replay(_ path: String) -> ServiceConfiguration {
        var configuration = ServiceConfiguration(source: .file(path))
        configuration.listen = "127.0.0.1:0"
        // The per-device dashboard panels need the optional breakdown.
        configuration.metrics.deviceTrafficBreakdown = true
        return configuration
    }
}

/// Text scanning of rule files and expositions (no YAML parser in the test dependencies).
enum OpsText {
    static func captures(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Metric names: lanscope_*/process_* identifiers, and recording-rule names (which contain colons).
    static func metricNames(in text: String) -> Set<String> {
        let tokens = captures(#"(?<![A-Za-z0-9_:$.-])([A-Za-z_:][A-Za-z0-9_:]*)"#, in: text)
        return Set(tokens.filter { $0.contains("lanscope_") || $0.hasPrefix("process_") })
    }

    /// Names declared by `# TYPE` lines.
    static func exposedNames(_ exposition: String) -> Set<String> {
        Set(captures(#"(?m)^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) "#, in: exposition))
    }

    /// Names that have at least one sample line.
    static func sampledNames(_ exposition: String) -> Set<String> {
        Set(captures(#"(?m)^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]"#, in: exposition))
    }

    /// Recording rule name → the metric names its expression reads.
    static func recordingRules(_ rules: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        let parts = rules.components(separatedBy: "- record:").dropFirst()
        for part in parts {
            let body = part.components(separatedBy: "- alert:").first ?? part
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            guard let name = lines.first?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { continue }
            let exprText = lines.dropFirst().filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(
                separator: "\n")
            result[name] = metricNames(in: exprText).sorted()
        }
        return result
    }

    struct AlertBlock { let name: String; let body: String }

    static func alertBlocks(_ rules: String) -> [AlertBlock] {
        rules.components(separatedBy: "- alert:").dropFirst().compactMap { part in
            let name = part.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            return name.isEmpty ? nil : AlertBlock(name: name, body: part)
        }
    }

    /// For each `alertname: X` evaluation in a promtool test file: true when alerts are expected.
    static func evaluations(_ tests: String, alert: String) -> [Bool] {
        let chunks = tests.components(separatedBy: "- eval_time:").dropFirst()
        return chunks.compactMap { chunk in
            guard chunk.contains("alertname: \(alert)\n") else { return nil }
            return !chunk.contains("exp_alerts: []")
        }
    }
}

/// Panel queries of the Grafana dashboards in `dashboards/`.
struct OpsDashboard {
    struct Query {
        let panel: String
        let expr: String
        /// The panel's `description`: what a user reads when the panel is empty.
        var description: String = ""
    }
    let file: String
    let queries: [Query]
    /// Template variable definitions such as `label_values(lanscope_device_info, mac)` (Grafana, not PromQL).
    let variables: [String]

    static func loadAll(from directory: URL) throws -> [OpsDashboard] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
            .sorted()
        return try files.map { file in
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let object = try #require(
                try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file) is not a JSON object")
            var queries: [Query] = []
            func walk(_ panels: [[String: Any]]) {
                for panel in panels {
                    let title = panel["title"] as? String ?? "?"
                    for target in panel["targets"] as? [[String: Any]] ?? [] {
                        if let expr = target["expr"] as? String {
                            queries.append(
                                Query(panel: title, expr: expr, description: panel["description"] as? String ?? ""))
                        }
                    }
                    walk(panel["panels"] as? [[String: Any]] ?? [])
                }
            }
            walk(object["panels"] as? [[String: Any]] ?? [])
            let templating = (object["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
            let variables = templating.compactMap { $0["definition"] as? String }
            return OpsDashboard(file: "dashboards/\(file)", queries: queries, variables: variables)
        }
    }
}

/// A background daemon with its output in a log file, stopped by its own pid.
final class OpsDaemon {
    let process = Process()
    let log: URL
    private let handle: FileHandle

    init(_ executable: String, _ arguments: [String], log: URL) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? handle.close()
    }

    func logTail() -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }
}

/// The Prometheus HTTP API through curl.
final class OpsPrometheusAPI {
    let port: Int
    private(set) var lastError = ""

    init(port: Int) { self.port = port }

    struct Sample { let labels: [String: String]; let value: String }

    func get(_ path: String, _ items: [URLQueryItem]) -> [String: Any]? {
        // URLComponents leaves "+" as is, which a server reads as a space: encode everything but unreserved.
        let unreserved = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let query = items.map { item in
            let value = item.value?.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
            return "\(item.name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? item.name)=\(value)"
        }.joined(separator: "&")
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)" + (query.isEmpty ? "" : "?\(query)")),
            let (data, _) = try? syncGET(url),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            lastError = "no answer"
            return nil
        }
        guard object["status"] as? String == "success" else {
            lastError = "\(object["errorType"] ?? "?"): \(object["error"] ?? "?")"
            return nil
        }
        return object
    }

    /// Instant query; nil when Prometheus rejects it, else its samples (vector or scalar).
    func query(_ promql: String) -> [Sample]? {
        guard let object = get("/api/v1/query", [URLQueryItem(name: "query", value: promql)]),
            let data = object["data"] as? [String: Any]
        else { return nil }
        if let vector = data["result"] as? [[String: Any]] {
            return vector.map {
                Sample(
                    labels: $0["metric"] as? [String: String] ?? [:],
                    value: ($0["value"] as? [Any])?.last as? String ?? "")
            }
        }
        if let scalar = data["result"] as? [Any], let value = scalar.last as? String {
            return [Sample(labels: [:], value: value)]
        }
        return []
    }

    func labelValues(_ label: String, match: String) -> [String] {
        get("/api/v1/label/\(label)/values", [URLQueryItem(name: "match[]", value: match)])?["data"] as? [String] ?? []
    }

    func alerts() -> [[String: Any]] {
        (get("/api/v1/alerts", [])?["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
    }
}

enum OpsWait {
    /// Polls `condition` every 0.5 s for at most `seconds`.
    static func until(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return condition()
    }
}

/// A webhook receiver on loopback, served by lanscope's own HTTP server, keeping every POST body.
final class OpsWebhook: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [String] = []
    private var server: HTTPServer?

    func start() throws -> Int {
        let router = HTTPRouter()
        router.add("/lanscope", methods: ["POST"]) { [self] request, _ in
            lock.lock()
            received.append(String(decoding: request.body, as: UTF8.self))
            lock.unlock()
            return HTTPResponse(status: .ok)
        }
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 1 << 20
        let server = HTTPServer(
            configuration: .init(listen: "127.0.0.1:0", limits: limits), router: router,
            logger: Logger(label: "webhook"))
        self.server = server
        guard let port = try server.start().first else { throw OpsTestError.noPort }
        return port
    }

    func stop() { server?.shutdown(gracePeriod: .seconds(1)) }

    func bodies() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }
}

enum OpsTestError: Error { case noPort }

/// A capture file built in the test: one DHCP frame whose BOOTP header is cut short, so lanscope counts a
/// decode error (`lanscope_decode_errors_total{protocol="dhcp"}`), and one ARP request.
enum OpsCapture {
    static func truncatedDHCP() -> [UInt8] {
        var file: [UInt8] = []
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file += $0 } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { file += $0 } }
        // pcap global header (pcap-savefile(5)): magic, version 2.4, zone, sigfigs, snaplen, LINKTYPE_ETHERNET.
        le32(0xa1b2_c3d4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
        let source: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
        let broadcast = [UInt8](repeating: 0xff, count: 6)
        // IPv4 0.0.0.0 → 255.255.255.255, UDP 68 → 67, 20 bytes of a BOOTP header that needs 236 (RFC 2131).
        let ipv4: [UInt8] = [
            0x45, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
        ]
        let udp: [UInt8] = [0x00, 68, 0x00, 67, 0x00, 28, 0x00, 0x00]
        let dhcp = broadcast + source + [0x08, 0x00] + ipv4 + udp + [UInt8](repeating: 0, count: 20)
        // ARP request (RFC 826) from the same MAC for 192.168.77.1.
        let arp =
            broadcast + source + [0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01] + source
            + [192, 168, 77, 10] + [UInt8](repeating: 0, count: 6) + [192, 168, 77, 1]
        for (index, frame) in [dhcp, arp].enumerated() {
            le32(1_793_527_200 + UInt32(index)); le32(0); le32(UInt32(frame.count)); le32(UInt32(frame.count))
            file += frame
        }
        return file
    }
}
