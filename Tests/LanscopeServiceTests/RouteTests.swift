import Foundation
import HTTPServer
import Testing

@testable import LanscopeService

/// The JSON API's routes, filters and errors, in-process.
@Suite struct RouteTests {
    static let service: Service = try! makeReplayedService(capture: TestPaths.sampleCapture)

    func json(_ target: String) throws -> Any {
        let response = get(Self.service, target)
        #expect(response.status == .ok, "\(target)")
        return try JSONSerialization.jsonObject(with: Data(response.body))
    }

    @Test func devices_containsSampleLAN_withIdentity() throws {
        let devices = try #require(try json("/devices.json") as? [[String: Any]])
        #expect(devices.count == 7)
        let laptop = try #require(devices.first { $0["mac"] as? String == "3c:22:fb:aa:bb:01" })
        #expect(laptop["hostname"] as? String == "alices-macbook")
        #expect(laptop["vendor"] as? String == "Apple, Inc.")
        let dhcp = try #require(laptop["dhcp"] as? [String: Any])
        #expect(dhcp["parameter_request_list"] as? [Int] == [1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46])
        let printer = try #require(devices.first { $0["mac"] as? String == "9c:7b:ef:10:20:30" })
        let services = try #require(printer["services"] as? [[String: Any]])
        let ipp = try #require(services.first { $0["type"] as? String == "_ipp._tcp" })
        #expect(ipp["port"] as? Int == 631)
        let txt = try #require(ipp["txt"] as? [[String: Any]])
        #expect(txt.contains { $0["key"] as? String == "ty" && $0["value"] as? String == "HP LaserJet Pro M404dn" })
        let phone = try #require(devices.first { $0["mac"] as? String == "da:a1:19:5e:6f:70" })
        #expect(phone["locally_administered"] as? Bool == true)
        // The phone only searched over SSDP: that is not a service it offers.
        #expect((phone["services"] as? [Any])?.isEmpty == true)
    }

    @Test func devices_filters_apply() throws {
        #expect((try json("/devices.json?online=true") as? [Any])?.count == 7)
        #expect((try json("/devices.json?online=false") as? [Any])?.count == 0)
        let apple = try #require(try json("/devices.json?vendor=apple") as? [[String: Any]])
        #expect(apple.map { $0["mac"] as? String } == ["3c:22:fb:aa:bb:01"])
        let byIP = try #require(try json("/devices.json?ip=192.168.50.20") as? [[String: Any]])
        #expect(byIP.first?["hostname"] as? String == "HPLJ-M404")
        #expect(get(Self.service, "/devices.json?online=maybe").status == .badRequest)
        #expect(get(Self.service, "/devices.json?color=red").status == .badRequest)
    }

    /// The compact list has the same devices, in the same order, with the same values for the fields it
    /// keeps, and is much smaller than the full one.
    @Test func devices_summaryView_sameDevicesAndValues_smaller() throws {
        let full = try #require(try json("/devices.json") as? [[String: Any]])
        let summary = try #require(try json("/devices.json?view=summary") as? [[String: Any]])
        #expect(summary.map { $0["mac"] as? String } == full.map { $0["mac"] as? String })
        for (s, f) in zip(summary, full) {
            for key in ["vendor", "hostname", "first_seen", "last_seen"] {
                #expect(s[key] as? String == f[key] as? String, "\(key)")
            }
            #expect(s["online"] as? Bool == f["online"] as? Bool)
            let counters = { (d: [String: Any]) in (d["counters"] as? [String: Int]) ?? [:] }
            #expect(counters(s) == counters(f))
            let type = { (d: [String: Any]) in
                ((d["classification"] as? [String: Any])?["type"] as? [String: Any])?["value"] as? String
            }
            #expect(type(s) == type(f))
            #expect(s["dhcp"] == nil && s["services"] == nil, "the summary carries no fingerprints or services")
        }
        let fullBytes = get(Self.service, "/devices.json").body.count
        let summaryBytes = get(Self.service, "/devices.json?view=summary").body.count
        #expect(summaryBytes * 2 < fullBytes, "summary \(summaryBytes) B vs full \(fullBytes) B")
        #expect((try json("/devices.json?view=summary&vendor=apple") as? [Any])?.count == 1)
        #expect(get(Self.service, "/devices.json?view=compact").status == .badRequest)
    }

    @Test func device_byMAC_okNotFoundAndMalformed() throws {
        let one = try #require(try json("/devices/5c:aa:fd:44:55:66.json") as? [String: Any])
        #expect((one["device"] as? [String: Any])?["hostname"] as? String == "Sonos-Kitchen")
        #expect((one["anomalies"] as? [[String: Any]])?.first?["kind"] as? String == "new_device")
        #expect(get(Self.service, "/devices/5C-AA-FD-44-55-66.json").status == .ok)
        #expect(get(Self.service, "/devices/00:00:00:00:00:01.json").status == .notFound)
        #expect(get(Self.service, "/devices/not-a-mac.json").status == .badRequest)
    }

    /// A history read that fails reaches the response (and the log), not an empty evidence list.
    @Test func device_historyReadFails_saysSoInTheResponse() throws {
        let directory = TestPaths.temporaryDirectory()
        let database = directory.appendingPathComponent("h.db").path
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, database: database)
        service.maintain()
        // Another process breaks the database under the running service.
        let (status, _, stderr) = try run(
            "/usr/bin/python3",
            [
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE evidence'); c.commit()",
                database,
            ])
        #expect(status == 0, "\(stderr)")
        let response = get(service, "/devices/5c:aa:fd:44:55:66.json")
        #expect(response.status == .ok)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let problem = try #require(body["history_error"] as? String)
        #expect(problem.contains("history unavailable"))
        #expect((body["device"] as? [String: Any])?["hostname"] as? String == "Sonos-Kitchen")
    }

    @Test func alerts_sinceFiltersByCaptureClock() throws {
        let all = try #require(try json("/alerts.json") as? [[String: Any]])
        #expect(all.count == 7)
        #expect(all.allSatisfy { $0["kind"] as? String == "new_device" })
        // The replay clock is the newest packet (10:00:03.710); the phone appeared at 10:00:01.350.
        let recent = try #require(try json("/alerts.json?since=2500ms") as? [[String: Any]])
        #expect(recent.map { $0["mac"] as? String } == ["da:a1:19:5e:6f:70"])
        #expect(get(Self.service, "/alerts.json?since=soon").status == .badRequest)
    }

    @Test func landingHealthReady_andUnknownRoutes() throws {
        #expect(String(decoding: get(Self.service, "/").body, as: UTF8.self).contains("/devices.json"))
        #expect(get(Self.service, "/-/healthy").status == .ok)
        #expect(get(Self.service, "/-/ready").status == .ok)
        #expect(get(Self.service, "/nope").status == .notFound)
        let post = Self.service.routes.handle(HTTPRequest(method: "POST", target: "/metrics"))
        #expect(post.status == .methodNotAllowed)
    }
}
