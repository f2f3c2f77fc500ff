import Foundation
import HTTPServer
import LanscopeCore
import Testing

@testable import LanscopeService

/// `/sd/devices.json`: Prometheus HTTP service discovery of the devices lanscope found.
@Suite struct ServiceDiscoveryTests {
    static let service: Service = try! makeReplayedService(capture: TestPaths.sampleCapture)

    func groups(_ target: String) throws -> [[String: Any]] {
        let response = get(Self.service, target)
        #expect(response.status == .ok, "\(target)")
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
    }

    static func labels(_ group: [String: Any]) -> [String: String] { group["labels"] as? [String: String] ?? [:] }

    @Test func sd_sampleLAN_oneGroupPerDevice_addressAndIdentityLabels() throws {
        let all = try groups("/sd/devices.json")
        let devices = try #require(
            try JSONSerialization.jsonObject(with: Data(get(Self.service, "/devices.json").body)) as? [[String: Any]])
        #expect(all.count == devices.count)
        #expect(get(Self.service, "/sd/devices.json").headers["x-omitted-count"] == "0")
        for group in all {
            let targets = try #require(group["targets"] as? [String])
            let labels = Self.labels(group)
            let mac = try #require(labels["__meta_lanscope_mac"])
            let device = try #require(devices.first { $0["mac"] as? String == mac })
            // Every sample device has one IPv4 address; the Raspberry Pi's fe80:: one is not probeable.
            let ipv4 = (device["addresses"] as? [[String: Any]] ?? []).compactMap { $0["ip"] as? String }
                .filter { !$0.contains(":") }
            #expect(targets == ipv4, "\(mac)")
            #expect(labels["__meta_lanscope_ip"] == ipv4.first)
            #expect(labels["__meta_lanscope_ip_version"] == "4")
            #expect(labels["__meta_lanscope_vendor"] == (device["vendor"] as? String ?? ""))
            #expect(labels["__meta_lanscope_hostname"] == (device["hostname"] as? String ?? ""))
            let type = ((device["classification"] as? [String: Any])?["type"] as? [String: Any])?["value"] as? String
            #expect(labels["__meta_lanscope_type"] == (type ?? "unknown"))
            #expect(labels["__meta_lanscope_online"] == ((device["online"] as? Bool) == true ? "true" : "false"))
            #expect(labels["__meta_lanscope_port_advertised"] == nil)
            // Prometheus accepts only string label values.
            #expect((group["labels"] as? [String: Any])?.values.allSatisfy { $0 is String } == true)
        }
        let printer = try #require(all.first { Self.labels($0)["__meta_lanscope_mac"] == "9c:7b:ef:10:20:30" })
        #expect(Self.labels(printer)["__meta_lanscope_type"] == "printer")
        #expect(Self.labels(printer)["__meta_lanscope_hostname"] == "HPLJ-M404")
    }

    @Test func sd_port_appendsToEveryTarget_andSaysWhetherAdvertised() throws {
        let all = try groups("/sd/devices.json?port=631")
        #expect(all.count == 7)
        for group in all {
            let target = try #require((group["targets"] as? [String])?.first)
            #expect(target.hasSuffix(":631"), "\(target)")
            let advertised = Self.labels(group)["__meta_lanscope_port_advertised"]
            let isPrinter = Self.labels(group)["__meta_lanscope_mac"] == "9c:7b:ef:10:20:30"
            #expect(advertised == (isPrinter ? "true" : "false"), "\(target)")
        }
    }

    @Test func sd_filters_typeOnlineVendor() throws {
        let printers = try groups("/sd/devices.json?type=printer")
        #expect(printers.map { Self.labels($0)["__meta_lanscope_mac"] } == ["9c:7b:ef:10:20:30"])
        #expect(try groups("/sd/devices.json?online=true").count == 7)
        #expect(try groups("/sd/devices.json?online=false").isEmpty)
        let sonos = try groups("/sd/devices.json?vendor=sonos&port=1443")
        #expect(sonos.flatMap { $0["targets"] as? [String] ?? [] } == ["192.168.50.30:1443"])
    }

    @Test(arguments: [
        "/sd/devices.json?port=0", "/sd/devices.json?port=65536", "/sd/devices.json?port=http",
        "/sd/devices.json?port=80&port=81", "/sd/devices.json?limit=1", "/sd/devices.json?type=toaster",
        "/sd/devices.json?online=maybe",
    ])
    func sd_badQuery_is400WithMessage(target: String) throws {
        let response = get(Self.service, target)
        #expect(response.status == .badRequest)
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect((body?["error"] as? String)?.isEmpty == false)
    }

    @Test func sd_requiresAuthentication_likeEveryRoute() throws {
        let directory = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, bearerTokenFile: tokenFile)
        let port = try #require(try service.startServerOnly().first)
        defer { service.stop() }
        let url = "http://127.0.0.1:\(port)/sd/devices.json"
        let (refused, _) = try curlStatus(url)
        #expect(refused == "401")
        let (admitted, body) = try curlStatus(url, header: "Authorization: Bearer s3cret-token")
        #expect(admitted == "200")
        #expect((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [Any])?.count == 7)
    }

    /// The shipped probe example, pointed at a running lanscope with a bearer token: a real Prometheus
    /// (Debian's) discovers every device through `http_sd_configs`, relabelled into a probe job.
    @Test func realPrometheus_httpSD_listsEveryDeviceWithLabels() throws {
        guard let prometheus = RealPrometheus.binary else {
            Issue.record("prometheus missing: apt-get install prometheus (make deps)")
            return
        }
        let directory = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        try "sd-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let service = try makeReplayedService(capture: TestPaths.sampleCapture, bearerTokenFile: tokenFile)
        let port = try #require(try service.startServerOnly().first)
        defer { service.stop() }

        let example = try String(
            contentsOf: TestPaths.repositoryRoot.appendingPathComponent("deploy/prometheus/examples/probe-devices.yml"),
            encoding: .utf8)
        let unusedProbePort = freeLoopbackPort()
        var config = example
        for (from, to) in [
            ("scrape_interval: 30s", "scrape_interval: 1s"), ("refresh_interval: 60s", "refresh_interval: 1s"),
            ("replacement: localhost:9115", "replacement: 127.0.0.1:\(unusedProbePort)"),
            (
                "      - url: http://localhost:9184/sd/devices.json?online=true\n",
                "      - url: http://127.0.0.1:\(port)/sd/devices.json?online=true\n"
                    + "        authorization: {type: Bearer, credentials_file: \(tokenFile)}\n"
            ),
        ] {
            #expect(config.contains(from), "the shipped example no longer has \(from)")
            config = config.replacingOccurrences(of: from, with: to)
        }
        let prometheusDirectory = directory.appendingPathComponent("prometheus").path
        try FileManager.default.createDirectory(atPath: prometheusDirectory, withIntermediateDirectories: true)
        let real = try RealPrometheus(binary: prometheus, config: config, directory: prometheusDirectory)
        defer { real.stop() }

        // Bounded wait until service discovery has delivered the devices to the probe job.
        var active: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let targets = (real.api("/api/v1/targets?state=active")?["data"] as? [String: Any])?["activeTargets"]
                as? [[String: Any]]
            {
                active = targets.filter { ($0["labels"] as? [String: String])?["job"] == "lanscope-device-ping" }
                if active.count >= 7 { break }
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        let devices = try #require(
            try JSONSerialization.jsonObject(with: Data(get(service, "/devices.json").body)) as? [[String: Any]])
        #expect(active.count == devices.count, "Prometheus lists \(active.count) probe targets")
        for device in devices {
            let mac = try #require(device["mac"] as? String)
            let target = active.first { ($0["labels"] as? [String: String])?["mac"] == mac }
            let labels = target?["labels"] as? [String: String] ?? [:]
            let ip = ((device["addresses"] as? [[String: Any]])?.first?["ip"] as? String) ?? "?"
            #expect(target != nil, "no probe target for \(mac)")
            #expect(labels["instance"] == ip, "\(mac)")
            #expect(labels["hostname"] == device["hostname"] as? String, "\(mac)")
            #expect(labels["vendor"] == device["vendor"] as? String, "\(mac)")
            let type = ((device["classification"] as? [String: Any])?["type"] as? [String: Any])?["value"] as? String
            #expect(labels["type"] == type, "\(mac)")
            #expect(
                target?["scrapeUrl"] as? String == "http://127.0.0.1:\(unusedProbePort)/probe?module=icmp&target=\(ip)")
        }
    }

    /// The HTTP status code and body of a GET by curl.
    func curlStatus(_ url: String, header: String? = nil) throws -> (code: String, body: String) {
        let arguments = ["-s", "--max-time", "5", "-w", "\n%{http_code}"] + (header.map { ["-H", $0] } ?? []) + [url]
        let (_, out, _) = try run("/usr/bin/curl", arguments, timeout: 10)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    // The address choice.

    static let t0 = Timestamp(seconds: 1_700_000_000)

    static func device(_ addresses: [(String, Int64)]) -> Device {
        var device = Device(mac: MACAddress("02:00:00:00:00:01")!, firstSeen: t0, lastSeen: t0)
        for (text, offset) in addresses {
            let seen = t0 + .seconds(offset)
            device.addresses[IPAddress(text)!] = AddressRecord(firstSeen: seen, lastSeen: seen, source: .arp)
        }
        return device
    }

    @Test func probeAddress_newestIPv4_beforeAnyIPv6() {
        let device = Self.device([("192.168.1.5", 10), ("192.168.1.9", 20), ("2001:db8::1", 30)])
        #expect(ServiceDiscovery.probeAddress(device) == IPAddress("192.168.1.9"))
    }

    @Test func probeAddress_globalIPv6_whenNoIPv4_neverLinkLocal() {
        #expect(
            ServiceDiscovery.probeAddress(Self.device([("fe80::1", 50), ("2001:db8::7", 10)]))
                == IPAddress("2001:db8::7"))
        #expect(ServiceDiscovery.probeAddress(Self.device([("fe80::1", 50)])) == nil)
        #expect(ServiceDiscovery.probeAddress(Self.device([])) == nil)
    }

    @Test func probeAddress_tie_lowerAddressWins_whateverTheOrder() {
        let forward = Self.device([("10.0.0.2", 5), ("10.0.0.1", 5)])
        let backward = Self.device([("10.0.0.1", 5), ("10.0.0.2", 5)])
        #expect(ServiceDiscovery.probeAddress(forward) == IPAddress("10.0.0.1"))
        #expect(ServiceDiscovery.probeAddress(backward) == IPAddress("10.0.0.1"))
    }

    @Test func target_bracketsIPv6_appendsPort() {
        #expect(ServiceDiscovery.target(IPAddress("10.0.0.1")!, port: nil) == "10.0.0.1")
        #expect(ServiceDiscovery.target(IPAddress("10.0.0.1")!, port: 9100) == "10.0.0.1:9100")
        #expect(ServiceDiscovery.target(IPAddress("2001:db8::7")!, port: nil) == "[2001:db8::7]")
        #expect(ServiceDiscovery.target(IPAddress("2001:db8::7")!, port: 161) == "[2001:db8::7]:161")
    }
}
