import Foundation
import HTTPServer
import LanscopeCore
import Logging
import Testing

@testable import LanscopeService

/// Every JSON endpoint and every `--json` command is validated against its schema in docs/schema/ (JSON
/// Schema draft 2020-12, documented in docs/json-api.md) by python3-jsonschema. A new route or command
/// with JSON output must be added to the tables below: the coverage tests fail until it is.
@Suite(.serialized) struct JSONSchemaTests {
    static let schemas = TestPaths.repositoryRoot.appendingPathComponent("docs/schema").path
    static let validator = TestPaths.repositoryRoot.appendingPathComponent("Tests/Scripts/validate-json.py").path

    /// HTTP route (as registered in ServiceRoutes) → its schema file.
    static let routes: [String: String] = [
        "/devices.json": "devices.schema.json",
        "/devices/{mac}.json": "device-detail.schema.json",
        "/alerts.json": "alerts.schema.json",
        "/sd/devices.json": "sd-devices.schema.json",
        "/devices/{mac}/history.json": "device-history.schema.json",
    ]

    /// Subcommand with a `--json` flag (or a JSON format) → its schema file.
    static let commands: [String: String] = [
        "replay": "replay.schema.json",
        "list": "devices.schema.json",
        "device": "cli-device.schema.json",
        "alerts": "alerts.schema.json",
        "export": "devices.schema.json",
        "history": "history.schema.json",
    ]

    /// Runs the validator on documents; records every error it prints.
    func validate(_ schema: String, _ documents: [(name: String, body: [UInt8])]) throws {
        let dir = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let file = dir.appendingPathComponent(
                "\(index)-\(document.name.replacingOccurrences(of: "/", with: "_")).json")
            try Data(document.body).write(to: file)
            paths.append(file.path)
        }
        let (status, out, err) = try run("/usr/bin/python3", [Self.validator, Self.schemas, schema] + paths)
        if err.contains("No module named 'jsonschema'") {
            Issue.record("python3-jsonschema missing: make deps-test")
            return
        }
        #expect(status == 0, "\(schema):\n\(out)\(err)")
        #expect(out.contains("\(documents.count) document(s) against \(schema): 0 error(s)"), "\(out)\(err)")
    }

    @Test func schemas_coverEveryJSONRoute() throws {
        let source = try String(
            contentsOf: TestPaths.repositoryRoot.appendingPathComponent(
                "Sources/LanscopeService/HTTP/ServiceRoutes.swift"), encoding: .utf8)
        let registered = Set(OpsText.captures(#"router\.get\("([^"]+\.json)""#, in: source))
        #expect(registered.count >= 3, "no JSON routes found in ServiceRoutes.swift: \(registered)")
        for route in registered.sorted() {
            #expect(
                Self.routes[route] != nil, "\(route) has no schema in docs/schema (add it to JSONSchemaTests.routes)")
        }
    }

    @Test func schemas_coverEveryJSONCommand() throws {
        let (status, out, _) = try run(TestPaths.executable, ["--experimental-dump-help"])
        #expect(status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let subcommands = (root["command"] as? [String: Any])?["subcommands"] as? [[String: Any]] ?? []
        var withJSON: [String] = []
        for command in subcommands {
            let arguments = command["arguments"] as? [[String: Any]] ?? []
            let names = arguments.flatMap {
                ($0["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            let mentionsJSON = arguments.contains { ($0["abstract"] as? String ?? "").lowercased().contains("json") }
            if names.contains("json") || (names.contains("format") && mentionsJSON) {
                withJSON.append(command["commandName"] as? String ?? "?")
            }
        }
        #expect(withJSON.count >= 5, "commands with JSON output: \(withJSON)")
        for name in withJSON {
            #expect(
                Self.commands[name] != nil,
                "lanscope \(name) prints JSON with no schema (add it to JSONSchemaTests.commands)")
        }
    }

    @Test func httpEndpoints_matchTheirSchemas() throws {
        for capture in [TestPaths.sampleCapture, TestPaths.hostileCapture] {
            var configuration = ServiceConfiguration(source: .file(capture))
            let db = TestPaths.temporaryDirectory().appendingPathComponent("schema.db").path
            configuration.databasePath = db
            let service = try Service(configuration: configuration, logger: Logger(label: "test"))
            service.runCaptureInline()
            let devices = get(service, "/devices.json")
            #expect(devices.status.code == 200)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(devices.body)) as? [[String: Any]])
            #expect(!list.isEmpty, "\(capture) gave no device")
            try validate(
                "devices.schema.json",
                [("devices", devices.body), ("online", get(service, "/devices.json?online=true").body)])
            try validate("devices-summary.schema.json", [("summary", get(service, "/devices.json?view=summary").body)])
            let macs = list.compactMap { $0["mac"] as? String }
            try validate(
                "device-detail.schema.json", macs.map { ("device-\($0)", get(service, "/devices/\($0).json").body) })
            service.maintain()  // history written: the devices and their samples
            let histories = macs.map { ("history-\($0)", get(service, "/devices/\($0)/history.json?since=3650d")) }
            #expect(histories.allSatisfy { $0.1.status.code == 200 }, "\(histories.map { $0.1.status.code })")
            try validate("device-history.schema.json", histories.map { ($0.0, $0.1.body) })
            let alerts = get(service, "/alerts.json")
            #expect(alerts.status.code == 200)
            try validate("alerts.schema.json", [("alerts", alerts.body)])
            let targets = get(service, "/sd/devices.json")
            #expect(targets.status.code == 200)
            try validate(
                "sd-devices.schema.json",
                [("sd", targets.body), ("sd-port", get(service, "/sd/devices.json?port=9100&online=true").body)])
            service.stop()
        }
    }

    @Test func cliJSON_matchesItsSchema() throws {
        let lanscope = TestPaths.executable
        let db = TestPaths.temporaryDirectory().appendingPathComponent("cli.db").path
        let (rs, replay, rerr) = try run(
            lanscope, ["replay", TestPaths.sampleCapture, TestPaths.hostileCapture, "--db", db, "--json"])
        #expect(rs == 0, "\(rerr)")
        try validate(Self.commands["replay"]!, [("replay", Array(replay.utf8))])
        let (_, list, _) = try run(lanscope, ["list", "--json", "--db", db])
        try validate(Self.commands["list"]!, [("list", Array(list.utf8))])
        let (_, export, _) = try run(lanscope, ["export", "--format", "json", "--db", db])
        try validate(Self.commands["export"]!, [("export", Array(export.utf8))])
        let (_, traffic, _) = try run(lanscope, ["export", "--format", "json", "--since", "3650d", "--db", db])
        try validate("export-traffic.schema.json", [("export-since", Array(traffic.utf8))])
        let (hs, history, herr) = try run(lanscope, ["history", "--from", "2000-01-01", "--json", "--db", db])
        #expect(hs == 0, "\(herr)")
        try validate(Self.commands["history"]!, [("history", Array(history.utf8))])
        #expect(history.contains("\"mac\""), "lanscope history listed no device: \(history)")
        let (_, alerts, _) = try run(lanscope, ["alerts", "--json", "--db", db])
        try validate(Self.commands["alerts"]!, [("alerts", Array(alerts.utf8))])
        let macs = (try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]] ?? []).compactMap {
            $0["mac"] as? String
        }
        #expect(macs.count >= 7)
        var details: [(String, [UInt8])] = []
        for mac in macs {
            let (status, text, err) = try run(lanscope, ["device", mac, "--json", "--db", db])
            #expect(status == 0, "\(mac): \(err)")
            details.append(("device-\(mac)", Array(text.utf8)))
        }
        try validate(Self.commands["device"]!, details)
    }
}
