import Foundation
import HTTPServer
import Testing

@testable import LanscopeService

/// One request's work is bounded: each filter once, short values, durations that cannot wrap.
@Suite struct QueryBoundsTests {
    static let service: Service = try! makeReplayedService(capture: TestPaths.sampleCapture)

    func error(_ target: String) throws -> String? {
        let response = get(Self.service, target)
        #expect(response.status == .badRequest, "\(target)")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return object?["error"] as? String
    }

    @Test func devices_rejectsRepeatedFilters_withAMessage() throws {
        let repeated = "/devices.json?" + Array(repeating: "vendor=o", count: 900).joined(separator: "&")
        #expect(try error(repeated)?.contains("\"vendor\" given more than once") == true)
        #expect(try error("/devices.json?online=true&online=true")?.contains("\"online\"") == true)
        #expect(try error("/devices.json?ip=192.168.50.20&ip=192.168.50.21")?.contains("\"ip\"") == true)
        #expect(try error("/devices.json?limit=1&limit=2")?.contains("\"limit\"") == true)
        #expect(try error("/devices.json?type=phone&type=phone")?.contains("\"type\"") == true)
    }

    @Test func devices_rejectsOverlongValues_andAcceptsEveryFilterOnce() throws {
        let long = String(repeating: "a", count: DeviceQuery.maxValueBytes + 1)
        #expect(try error("/devices.json?hostname=\(long)")?.contains("longer than 256 bytes") == true)
        let atLimit = String(repeating: "a", count: DeviceQuery.maxValueBytes)
        #expect(get(Self.service, "/devices.json?hostname=\(atLimit)").status == .ok)
        let all = get(Self.service, "/devices.json?online=true&vendor=apple&hostname=alice&ip=192.168.50.10")
        #expect(all.status == .ok)
    }

    @Test func deviceQuery_parse_keepsLowercasedNeedles() throws {
        let query = try DeviceQuery.parse([("vendor", "Apple"), ("online", "false")]).get()
        #expect(query == DeviceQuery(online: false, vendor: "apple", hostname: nil, ip: nil))
        #expect(throws: QueryError.self) { try DeviceQuery.parse([("color", "red")]).get() }
    }

    @Test func alerts_rejectsRepeatedSince_andOverflowingDurations() throws {
        #expect(try error("/alerts.json?since=1h&since=2h")?.contains("more than once") == true)
        #expect(try error("/alerts.json?since=20000w")?.contains("too long") == true)
        #expect(try error("/alerts.json?since=40000w")?.contains("too long") == true)
        // The longest accepted duration selects everything, as it should, rather than wrapping.
        let everything = get(Self.service, "/alerts.json?since=15250w")
        #expect(everything.status == .ok)
        let events = try JSONSerialization.jsonObject(with: Data(everything.body)) as? [Any]
        #expect(events?.count == 7)
    }
}
