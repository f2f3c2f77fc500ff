import Foundation
import HTTPServer
import Inventory
import LanscopeCore
import Testing

@testable import LanscopeService

/// Devices announcing hostile names and services (quotes, backslashes, newlines, `}`, `# HELP`
/// lines, 4 KB strings, invalid UTF-8, escape sequences) must not break the exposition or inject series:
/// promtool and an independent parser (python3-prometheus-client) read back exactly what we meant.
@Suite struct HostileExpositionTests {
    static let service: Service = try! makeReplayedService(capture: TestPaths.hostileCapture)

    struct Parsed: Decodable {
        struct Sample: Decodable { var name: String; var labels: [String: String] }
        var families: [[String]]
        var samples: [Sample]
    }

    func parse(_ body: [UInt8], format: String) throws -> Parsed {
        let file = TestPaths.temporaryDirectory().appendingPathComponent("exposition")
        try Data(body).write(to: file)
        let (status, out, err) = try run("/usr/bin/python3", [TestPaths.exposition, format, file.path])
        #expect(status == 0, "python parser rejected the \(format) exposition: \(err)")
        return try JSONDecoder().decode(Parsed.self, from: Data(out.utf8))
    }

    @Test func hostileCapture_yieldsEightHostileDevicesAndTheRouter() {
        #expect(Self.service.registry.count == 9)
    }

    @Test func promtool_acceptsHostileTextExposition() throws {
        guard let promtool = which("promtool") else {
            Issue.record("promtool missing: apt-get install prometheus (make deps)")
            return
        }
        let body = get(Self.service, "/metrics").body
        let (status, out, err) = try run(promtool, ["check", "metrics"], input: Data(body))
        #expect(status == 0, "promtool: \(out) \(err)")
    }

    @Test(arguments: ["text", "openmetrics"])
    func pythonParser_readsBackHostileLabels_withoutExtraSeries(format: String) throws {
        let accept = format == "openmetrics" ? "application/openmetrics-text" : "text/plain"
        let body = get(Self.service, "/metrics", headers: [("Accept", accept)]).body
        let parsed = try parse(body, format: format)

        // No family or sample name that we did not write: nothing was injected.
        let expectedFamilies: Set<String> = [
            "lanscope_anomalies", "lanscope_build", "lanscope_capture", "lanscope_capture_bytes",
            "lanscope_capture_packets",
            "lanscope_capture_up", "lanscope_decode_errors", "lanscope_device",
            "lanscope_device_first_seen_timestamp_seconds",
            "lanscope_device_last_seen_timestamp_seconds", "lanscope_device_received_bytes",
            "lanscope_device_received_packets",
            "lanscope_device_traffic_bytes", "lanscope_device_traffic_packets", "lanscope_device_transmitted_bytes",
            "lanscope_device_transmitted_packets", "lanscope_device_up", "lanscope_devices",
            "lanscope_discovery_packets",
            "lanscope_exposition_devices_omitted", "lanscope_inventory_devices_expired",
            "lanscope_inventory_devices_rejected",
            "lanscope_observations", "lanscope_store_dropped_batches", "lanscope_store_errors", "lanscope_store_writes",
            "lanscope_bpf_map_capacity", "lanscope_bpf_map_entries", "lanscope_capture_dropped",
            "lanscope_http_requests",
            "lanscope_traffic_bytes", "lanscope_traffic_packets", "lanscope_anomaly_events_evicted",
            "lanscope_anomaly_active_refused", "lanscope_anomaly_active", "lanscope_store_observations_dropped",
            "lanscope_store_changes_dropped", "lanscope_devices_by_type", "lanscope_stage_state_dropped",
            "lanscope_stage_state_entries", "lanscope_inventory_address_claims_rejected",
            "lanscope_scrape_collector_duration_seconds", "lanscope_store_devices_rejected",
            "lanscope_http_connections_rejected", "lanscope_http_connections_closed", "lanscope_http_connections_open",
            "lanscope_http_pending_response_bytes", "lanscope_http_memory_trims", "lanscope_http_scrape_renders",
            "lanscope_http_scrape_renders_shared",
            "lanscope_http_tls_handshakes",
        ]
        let families = Set(parsed.families.map { $0[0] })
        // text 0.0.4 names counter families with their _total / _info suffix; normalise.
        let normalised = Set(
            families.map { name -> String in
                for suffix in ["_total", "_info"] where name.hasSuffix(suffix) && !expectedFamilies.contains(name) {
                    return String(name.dropLast(suffix.count))
                }
                return name
            })
        #expect(
            normalised.subtracting(expectedFamilies).isEmpty,
            "unexpected families: \(normalised.subtracting(expectedFamilies))")
        #expect(!parsed.samples.contains { $0.name.contains("injected") || $0.name == "x" })

        // Every device's info series carries exactly the hostname the JSON API reports.
        let infos = parsed.samples.filter { $0.name == "lanscope_device_info" }
        #expect(infos.count == 9)
        let devices = try #require(
            try JSONSerialization.jsonObject(with: Data(get(Self.service, "/devices.json").body)) as? [[String: Any]])
        for device in devices {
            let mac = try #require(device["mac"] as? String)
            let info = try #require(infos.first { $0.labels["mac"] == mac })
            // CR cannot be escaped in either exposition format; the encoder writes U+FFFD for it.
            let expected = (device["hostname"] as? String ?? "").replacingOccurrences(of: "\r", with: "\u{FFFD}")
            #expect(info.labels["hostname"] == expected, "hostname of \(mac)")
        }
        let quoted = try #require(infos.first { $0.labels["mac"] == "02:00:00:00:00:01" })
        #expect(quoted.labels["hostname"] == "quote\"back\\slash")
        let newline = try #require(infos.first { $0.labels["mac"] == "02:00:00:00:00:02" })
        #expect(newline.labels["hostname"] == "new\nline} 1\n# HELP injected fake\nlanscope_injected 1")
        let long = try #require(infos.first { $0.labels["mac"] == "02:00:00:00:00:03" })
        #expect(long.labels["hostname"]?.count ?? 0 >= 255)
        let invalid = try #require(infos.first { $0.labels["mac"] == "02:00:00:00:00:04" })
        #expect(invalid.labels["hostname"]?.contains("\u{FFFD}") == true)
    }

    @Test func json_and_csv_stayParseable_withHostileValues() throws {
        let body = get(Self.service, "/devices.json").body
        let devices = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(devices.count == 9)
        let csv = DeviceRendering.csv(Self.service.registry.snapshot())
        let lines = try parseCSV(csv)
        #expect(lines.count == 10)
        #expect(lines.allSatisfy { $0.count == DeviceRendering.csvHeader.count })
        let formula = try #require(lines.first { $0[0] == "02:00:00:00:00:06" })
        #expect(formula[2].hasPrefix("'="), "a hostname starting with = must not become a spreadsheet formula")
    }

    @Test func terminalTable_hasNoControlCharacters() {
        let table = DeviceRendering.table(
            Self.service.registry.snapshot(), presence: .init(now: .zero, window: .seconds(1)))
        #expect(
            !table.unicodeScalars.contains { $0.value == 0x1B || ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F })
        #expect(table.contains("\\x1b[31m"))
    }

    /// A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF records.
    func parseCSV(_ text: String) throws -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var inQuotes = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(c)
            }
        }
        #expect(!inQuotes)
        return rows
    }
}
