import Foundation
import HTTPServer
import History
import LanscopeCore
import Testing

@testable import LanscopeService

/// The views on live history: `/devices/{mac}/history.json`, `lanscope device`, `export --since`, `history`.
@Suite(.serialized) struct HistoryViewTests {
    static let pi = MACAddress("b8:27:eb:01:02:03")!

    static func sample(_ mac: MACAddress, at time: Timestamp, tx: UInt64) -> TrafficSample {
        TrafficSample(
            mac: mac, start: time, seconds: 10, transmittedBytes: tx, transmittedPackets: 3, receivedBytes: 2 * tx,
            receivedPackets: 4)
    }

    @Test func historyRoute_returnsSamplesWithinWindow_andPresence() throws {
        let directory = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let service = try makeReplayedService(
            capture: TestPaths.sampleCapture, database: directory.appendingPathComponent("h.db").path)
        let store = try #require(service.history)
        let now = service.clock.now()
        try store.write(
            HistoryBatch(
                samples: [
                    Self.sample(Self.pi, at: now - .seconds(7_200), tx: 111),
                    Self.sample(Self.pi, at: now - .seconds(600), tx: 222),
                ],
                presence: [PresenceSpan(mac: Self.pi, start: now - .seconds(7_200), end: now - .seconds(590))]))
        let response = get(service, "/devices/\(Self.pi)/history.json?since=1h")
        #expect(response.status == 200)
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let samples = try #require(body["samples"] as? [[String: Any]])
        #expect(samples.count == 1)
        #expect(samples.first?["transmitted_bytes"] as? Int == 222)
        #expect(samples.first?["received_bytes"] as? Int == 444)
        #expect(samples.first?["tier"] as? String == "raw")
        #expect((body["presence"] as? [[String: Any]])?.count == 1)
        // The default window is a day: both samples.
        let day = try JSONSerialization.jsonObject(with: Data(get(service, "/devices/\(Self.pi)/history.json").body))
        #expect(((day as? [String: Any])?["samples"] as? [Any])?.count == 2)
    }

    @Test func historyRoute_refusesBadInput() throws {
        let directory = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let service = try makeReplayedService(
            capture: TestPaths.sampleCapture, database: directory.appendingPathComponent("h.db").path)
        #expect(get(service, "/devices/\(Self.pi)/history.json?since=soon").status == 400)
        #expect(get(service, "/devices/\(Self.pi)/history.json?until=1h").status == 400)
        #expect(get(service, "/devices/nonsense/history.json").status == 400)
        #expect(get(service, "/devices/02:00:00:00:00:99/history.json").status == 404)
        let without = try makeReplayedService(capture: TestPaths.sampleCapture)
        #expect(get(without, "/devices/\(Self.pi)/history.json").status == 503)
    }

    /// A database with the sample capture replayed and recent live history for the Raspberry Pi.
    private func liveDatabase() throws -> (directory: URL, path: String) {
        let directory = TestPaths.temporaryDirectory()
        let path = directory.appendingPathComponent("lanscope.db").path
        let (status, _, err) = try run(TestPaths.executable, ["replay", TestPaths.sampleCapture, "--db", path])
        try #require(status == 0, "\(err)")
        let store = try HistoryStore(path: path)
        let now = SystemClock().now()
        var hostile = Device(
            mac: MACAddress("02:00:00:00:00:42")!, firstSeen: now - .seconds(60), lastSeen: now - .seconds(60))
        hostile.hostname = "=HYPERLINK(\"http://x\")"
        try store.write(
            HistoryBatch(
                devices: [hostile],
                samples: [
                    Self.sample(Self.pi, at: now - .seconds(3_600), tx: 1_000),
                    Self.sample(Self.pi, at: now - .seconds(1_800), tx: 500),
                    Self.sample(hostile.mac, at: now - .seconds(60), tx: 9),
                    Self.sample(Self.pi, at: now - .seconds(30 * 86_400), tx: 77),
                ],
                presence: [PresenceSpan(mac: Self.pi, start: now - .seconds(3_600), end: now - .seconds(1_790))]))
        try store.close()
        return (directory, path)
    }

    @Test func deviceCommand_showsPresenceAddressesAndTrafficPerDay() throws {
        let (directory, db) = try liveDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, text, err) = try run(TestPaths.executable, ["device", Self.pi.description, "--db", db])
        #expect(status == 0, "\(err)")
        #expect(text.contains("presence (newest first):"))
        #expect(text.contains("30m10s"))  // 3,600 s − 1,790 s ago
        #expect(text.contains("addresses over time:"))
        #expect(text.contains("traffic per day (UTC):"))
        let (jsonStatus, json, jsonErr) = try run(
            TestPaths.executable, ["device", Self.pi.description, "--json", "--db", db])
        #expect(jsonStatus == 0, "\(jsonErr)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let days = try #require(body["traffic_per_day"] as? [[String: Any]])
        #expect(days.reduce(0) { $0 + ($1["transmitted_bytes"] as? Int ?? 0) } == 1_577)
        #expect((body["presence"] as? [Any])?.count == 1)
        #expect(!((body["addresses_over_time"] as? [Any]) ?? []).isEmpty)
    }

    @Test func exportSince_writesTrafficRows_safeAgainstFormulas() throws {
        let (directory, db) = try liveDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("traffic.csv").path
        let (status, _, err) = try run(
            TestPaths.executable, ["export", "--format", "csv", "--since", "7d", "--output", out, "--db", db])
        #expect(status == 0, "\(err)")
        let csv = try String(contentsOfFile: out, encoding: .utf8)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == Substring(HistoryRendering.trafficCSVHeader.joined(separator: ",")))
        #expect(lines.count == 1 + 3)  // the 30-day-old sample is outside 7d
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))
        let (jsonStatus, json, jsonErr) = try run(
            TestPaths.executable, ["export", "--format", "json", "--since", "60d", "--db", db])
        #expect(jsonStatus == 0, "\(jsonErr)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((body["traffic"] as? [Any])?.count == 4)
        #expect(((body["devices"] as? [Any])?.count ?? 0) >= 8)
        let (bad, _, badErr) = try run(
            TestPaths.executable, ["export", "--format", "csv", "--since", "week", "--db", db])
        #expect(bad != 0)
        #expect(badErr.contains("invalid duration"))
    }

    @Test func historyCommand_listsDevicesSeenBetweenTimes() throws {
        let (directory, db) = try liveDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, text, err) = try run(TestPaths.executable, ["history", "--from", "2h", "--to", "40m", "--db", db])
        #expect(status == 0, "\(err)")
        #expect(text.contains(Self.pi.description))
        #expect(!text.contains("02:00:00:00:00:42"))
        let (later, laterText, _) = try run(TestPaths.executable, ["history", "--from", "10m", "--db", db, "--json"])
        #expect(later == 0)
        #expect(!laterText.contains(Self.pi.description))
        let (iso, isoText, isoErr) = try run(
            TestPaths.executable, ["history", "--from", "2020-01-01", "--to", "2021-01-01T00:00:00Z", "--db", db])
        #expect(iso == 0, "\(isoErr)")
        #expect(isoText.contains("no device seen"))
        let (bad, _, badErr) = try run(TestPaths.executable, ["history", "--from", "yesterday", "--db", db])
        #expect(bad != 0)
        #expect(badErr.contains("invalid time"))
    }

    @Test func timeArgument_parsesDurationsAndISO8601() throws {
        let now = Timestamp(seconds: 1_765_000_000)
        #expect(try TimeArgument.parse("2h", now: now) == now - .seconds(7_200))
        #expect(try TimeArgument.parse("now", now: now) == now)
        #expect(try TimeArgument.parse("2026-12-07T01:00:00Z", now: now) == Timestamp(seconds: 1_796_605_200))
        #expect(try TimeArgument.parse("2026-12-07T02:00:00+01:00", now: now) == Timestamp(seconds: 1_796_605_200))
        #expect(try TimeArgument.parse("2026-12-07", now: now) == Timestamp(seconds: 1_796_601_600))
        #expect(throws: TimeArgument.Error.self) { try TimeArgument.parse("tomorrow", now: now) }
    }
}
