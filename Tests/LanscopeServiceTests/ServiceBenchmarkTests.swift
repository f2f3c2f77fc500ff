@_spi(Testing) import CapturePcap
import Exposition
import Foundation
import HTTPServer
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging
import PacketDecoding
import TestSupport
import Testing

@testable import LanscopeService

/// Opt-in (LANSCOPE_SERVICE_BENCH=1, `swift test -c release --filter ServiceBenchmark`): what a scrape
/// of `/metrics` and a `/devices.json` cost in-process with 10,000 devices carrying realistic identity,
/// next to `registry.snapshot()` measured in the same run (the copy every render starts from).
/// Prints medians and best of N; asserts only that the outputs are complete, never timings (the
/// machine is shared and noisy). With LANSCOPE_REPLAY_BENCH_FILE also set (bench-replay.sh does),
/// splits a replay of that file into stages.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["LANSCOPE_SERVICE_BENCH"] == "1", "set LANSCOPE_SERVICE_BENCH=1 to run"),
    .serialized)
struct ServiceBenchmarkTests {
    static let deviceCount = 10_000
    static let runs = 21
    static let now = Timestamp(seconds: 1_767_225_600)

    /// The registry's own counters are authoritative, as for libpcap and file replay.
    struct RegistryTraffic: TrafficSource {
        func deviceTraffic() -> DeviceTrafficTable? { nil }
        func captureStatus() -> CaptureStatus {
            CaptureStatus(backend: "pcap", mode: "file", interface: "bench.pcap", up: true)
        }
    }

    static let vendors: [UInt64: String] = [
        0x3c22fb: "Apple, Inc.", 0xb827eb: "Raspberry Pi Foundation", 0x9c7bef: "Hewlett Packard",
        0x5caafd: "Sonos, Inc.", 0xd0d003: "Samsung Electronics Co.,Ltd", 0xf01898: "Apple, Inc.",
        0x001a11: "Google, Inc.", 0xdca632: "Raspberry Pi Trading Ltd",
    ]
    static let prefixes: [UInt64] = [
        0x3c22fb, 0xb827eb, 0x9c7bef, 0x5caafd, 0xd0d003, 0xf01898, 0x001a11, 0xdca632, 0xdaa119,
    ]

    static func mac(_ index: Int) -> MACAddress {
        MACAddress(rawValue: prefixes[index % prefixes.count] << 24 | UInt64(0x100000 + index))
    }

    /// 10,000 devices: device 0 is the gateway every other device talks to; each has IPv4 and IPv6
    /// addresses, a DHCP hostname and fingerprint, a third announce an mDNS service, a fifth an SSDP
    /// root device with its SERVER string; all carry traffic in several classes.
    static func makeCollector(traffic: any TrafficSource = RegistryTraffic(), countTraffic: Bool = true)
        -> (MetricsCollector, DeviceRegistry)
    {
        let registry = DeviceRegistry(vendorLookup: { vendors[$0.rawValue >> 24] })
        let pipeline = Pipeline(registry: registry, stages: [])
        let gateway = mac(0)
        for i in 0..<deviceCount {
            let device = mac(i)
            // Half were seen within the presence window, half earlier.
            let time = now - .seconds(i % 2 == 0 ? 30 : 3_600)
            let v4 = IPv4Address(10, 20, UInt8(1 + i / 250), UInt8(2 + i % 250))
            let v6 = IPv6Address(high: 0xfe80_0000_0000_0000, low: 0x0200_00ff_fe00_0000 | UInt64(i))
            var facts: [Fact] = [
                .address(.v4(v4), via: .dhcp),
                .address(.v6(v6), via: .ndp),
                .hostname(String(format: "host-%05d", i), via: .dhcp),
                .dhcpClient(
                    DHCPClientFingerprint(
                        messageType: 3, parameterRequestList: [1, 121, 3, 6, 15, 108, 114, 119, 252],
                        vendorClass: i % 4 == 0 ? "android-dhcp-14" : "MSFT 5.0",
                        clientIdentifier: [1] + device.octets, maxMessageSize: 1500, requestedAddress: v4)),
            ]
            if i % 3 == 0 {
                facts.append(.hostname(String(format: "host-%05d.local", i), via: .mdns))
                facts.append(
                    .service(
                        ServiceAdvertisement(
                            via: .mdns, type: "_ipp._tcp", name: String(format: "Printer %05d", i), port: 631,
                            txt: [TXTEntry(key: "txtvers", value: "1"), TXTEntry(key: "ty", value: "Office Printer")])))
            }
            if i % 5 == 1 {
                facts.append(
                    .service(
                        ServiceAdvertisement(
                            via: .ssdp, type: "upnp:rootdevice", name: "uuid:bench-\(i)::upnp:rootdevice",
                            location: "http://\(v4):49152/description.xml", server: "Linux/5.10 UPnP/1.0 bench/1")))
                facts.append(.software("Linux/5.10 UPnP/1.0 bench/1", via: .ssdp))
            }
            registry.record(facts.map { Observation(mac: device, time: time, fact: $0) })
            guard i > 0 && countTraffic else { continue }
            for (family, transport, length) in [(UInt8(4), UInt8(6), 1514), (4, 17, 120), (6, 6, 1434), (6, 58, 86)] {
                for (source, destination) in [(device, gateway), (gateway, device)] {
                    var frame = FrameSummary()
                    frame.source = source
                    frame.destination = destination
                    frame.ipVersion = family
                    frame.transport = transport
                    frame.wireLength = length
                    registry.count(frame, at: time)
                }
            }
        }
        let collector = MetricsCollector(
            configuration: .init(), registry: registry, pipeline: pipeline, traffic: traffic,
            counters: ServiceCounters(), clock: ManualClock(now), processMetrics: { [] })
        return (collector, registry)
    }

    /// Median and best of `runs` timings in milliseconds, and the last result. `prepare` runs
    /// untimed before each timed `body`.
    static func measure<T>(prepare: () -> Void = {}, _ body: () -> T) -> (median: Double, best: Double, result: T) {
        var times: [Double] = []
        var result = body()  // warm-up: first-touch allocations do not count
        for _ in 0..<runs {
            prepare()
            let start = ContinuousClock.now
            result = body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        times.sort()
        return (times[times.count / 2], times[0], result)
    }

    static func lines(_ text: String, startingWith prefix: String) -> Int {
        text.split(separator: "\n").lazy.filter { $0.hasPrefix(prefix) }.count
    }

    /// One line per measured stage; `budget` (ms) only for what a route costs as a whole.
    static func report(
        _ name: String, _ m: (median: Double, best: Double), reference: Double, referenceName: String = "snapshot",
        budget: Double? = nil
    ) {
        let verdict =
            budget.map { String(format: "  budget %.0f ms (%@)", $0, (m.median <= $0 ? "met" : "MISSED") as NSString) }
            ?? ""
        print(
            String(
                format: "bench-service: %@ median %7.2f ms  best %7.2f ms  x%5.2f %@%@",
                name.padding(toLength: 34, withPad: " ", startingAt: 0) as NSString, m.median, m.best,
                m.median / reference, referenceName as NSString, verdict as NSString))
    }

    /// One more frame from every device to the gateway: on a busy LAN every device has counted
    /// traffic since the previous scrape, so the registry converts every device's counters again.
    /// Stamped an hour back, so no device's last-seen time (and presence) moves.
    static func touchEveryDevice(_ registry: DeviceRegistry) {
        var frame = FrameSummary()
        frame.destination = mac(0)
        frame.ipVersion = 4
        frame.transport = 6
        frame.wireLength = 66
        for i in 1..<deviceCount {
            frame.source = mac(i)
            registry.count(frame, at: now - .seconds(3_600))
        }
    }

    @Test func metrics_rendersEveryDevice_with10000Devices() throws {
        // Measured as `lanscope run` sets the allocator up before anything else.
        #expect(ScrapeMemory.retainAcrossScrapes())
        let (collector, registry) = Self.makeCollector()
        #expect(registry.count == Self.deviceCount)
        let snapshot = Self.measure { registry.snapshot() }
        let busySnapshot = Self.measure(prepare: { Self.touchEveryDevice(registry) }) { registry.snapshot() }
        let busyScrape = Self.measure(prepare: { Self.touchEveryDevice(registry) }) {
            ExpositionEncoder.encode(collector.collect(), format: .prometheusText)
        }
        let collect = Self.measure { collector.collect() }
        let encode = Self.measure { ExpositionEncoder.encode(collect.result, format: .prometheusText) }
        let scrape = Self.measure { ExpositionEncoder.encode(collector.collect(), format: .prometheusText) }
        let openMetrics = Self.measure { ExpositionEncoder.encode(collector.collect(), format: .openMetrics) }

        print(
            String(
                format:
                    "bench-service: %d devices, median (best) of %d runs; reference registry.snapshot() %.2f ms (%.2f)",
                Self.deviceCount, Self.runs, snapshot.median, snapshot.best))
        Self.report("MetricsCollector.collect()", (collect.median, collect.best), reference: snapshot.median)
        Self.report("ExpositionEncoder.encode (text)", (encode.median, encode.best), reference: snapshot.median)
        Self.report(
            "/metrics text: collect + encode", (scrape.median, scrape.best), reference: snapshot.median, budget: 20)
        Self.report(
            "/metrics OpenMetrics", (openMetrics.median, openMetrics.best), reference: snapshot.median, budget: 20)
        Self.report(
            "snapshot, all devices changed", (busySnapshot.median, busySnapshot.best), reference: snapshot.median)
        Self.report(
            "/metrics, all devices changed", (busyScrape.median, busyScrape.best), reference: snapshot.median,
            budget: 20)
        print("bench-service: /metrics body \(scrape.result.count) bytes")
        // The optional per-device traffic breakdown (--device-traffic-breakdown) adds 2 × 8 series per
        // device here; reported for reference, outside the default budget.
        var detailed = collector
        detailed.configuration.deviceTrafficBreakdown = true
        let breakdown = Self.measure { ExpositionEncoder.encode(detailed.collect(), format: .prometheusText) }
        Self.report(
            "/metrics with per-device breakdown", (breakdown.median, breakdown.best), reference: snapshot.median)
        print("bench-service: /metrics body with breakdown \(breakdown.result.count) bytes")
        let breakdownText = String(decoding: breakdown.result, as: UTF8.self)
        // Gateway: 4 classes each way; every other device: 4 transmitted + 4 received.
        #expect(
            Self.lines(breakdownText, startingWith: "lanscope_device_traffic_packets_total{") == Self.deviceCount * 8)

        let text = String(decoding: scrape.result, as: UTF8.self)
        #expect(snapshot.result.count == Self.deviceCount)
        #expect(busySnapshot.result.count == Self.deviceCount)
        // The last busy snapshot saw every frame counted before it; the busy scrapes then counted
        // one more frame per device `runs` times.
        let gateway = try #require(busySnapshot.result.first { $0.mac == Self.mac(0) })
        let received = try #require(registry.device(Self.mac(0))).traffic.receivedPackets
        #expect(gateway.traffic.receivedPackets + UInt64(Self.runs * (Self.deviceCount - 1)) == received)
        #expect(Self.lines(text, startingWith: "lanscope_device_info{") == Self.deviceCount)
        #expect(Self.lines(text, startingWith: "lanscope_device_up{") == Self.deviceCount)
        #expect(Self.lines(text, startingWith: "lanscope_device_transmitted_packets_total{") == Self.deviceCount)
        #expect(Self.lines(text, startingWith: "lanscope_device_last_seen_timestamp_seconds{") == Self.deviceCount)
        #expect(Self.lines(text, startingWith: "lanscope_device_traffic_packets_total{") == 0)
        #expect(Self.lines(text, startingWith: "lanscope_traffic_packets_total{") == 8)
        #expect(text.contains("lanscope_devices{state=\"online\"} 5000"))
        #expect(text.contains("lanscope_exposition_devices_omitted 0"))
        #expect(text.contains("hostname=\"host-09999\""))
        #expect(text.contains("vendor=\"Raspberry Pi Foundation\""))
        #expect(text.contains("dhcp_vendor_class=\"android-dhcp-14\""))
        let openText = String(decoding: openMetrics.result, as: UTF8.self)
        #expect(openText.hasSuffix("# EOF\n"))
        #expect(Self.lines(openText, startingWith: "lanscope_device_info{") == Self.deviceCount)
    }

    @Test func devicesJSON_rendersEveryDevice_with10000Devices() throws {
        // Measured as `lanscope run` sets the allocator up before anything else.
        #expect(ScrapeMemory.retainAcrossScrapes())
        let (collector, registry) = Self.makeCollector()
        let presence = DeviceRendering.Presence(now: Self.now, window: collector.configuration.presenceWindow)
        let routes = ServiceRoutes(
            collector: collector, pipeline: collector.pipeline, history: nil,
            clock: ManualClock(Self.now), readiness: { true })
        let request = HTTPRequest(method: "GET", target: "/devices.json", headers: HTTPHeaders())
        let snapshot = Self.measure { registry.snapshot() }
        let exported = Self.measure { collector.exportedDevices().devices }
        let render = Self.measure { DeviceRendering.json(exported.result, presence: presence) }
        // The route renders from the registry's storage in place; the export copies devices first.
        let whole = Self.measure { routes.devices(request).body }
        let export = Self.measure { DeviceRendering.json(collector.exportedDevices().devices, presence: presence) }

        print(
            String(
                format:
                    "bench-service: %d devices, median (best) of %d runs; reference registry.snapshot() %.2f ms (%.2f)",
                Self.deviceCount, Self.runs, snapshot.median, snapshot.best))
        Self.report("exportedDevices()", (exported.median, exported.best), reference: snapshot.median)
        Self.report("DeviceRendering.json", (render.median, render.best), reference: snapshot.median)
        Self.report("lanscope export: copy + render", (export.median, export.best), reference: snapshot.median)
        Self.report(
            "/devices.json route, in place", (whole.median, whole.best), reference: snapshot.median, budget: 50)
        print("bench-service: /devices.json body \(whole.result.count) bytes")

        // Rendered in place or from copies, the document is the same.
        #expect(whole.result == export.result)
        let parsed = try JSONSerialization.jsonObject(with: Data(whole.result))
        let devices = try #require(parsed as? [[String: Any]])
        #expect(devices.count == Self.deviceCount)
        #expect(Set(devices.compactMap { $0["mac"] as? String }).count == Self.deviceCount)
        #expect(devices.filter { ($0["hostname"] as? String)?.hasPrefix("host-") ?? false }.count == Self.deviceCount)
    }

    static func bestOfThree(_ body: () throws -> Int) rethrows -> (milliseconds: Double, packets: Int) {
        var best = Double.infinity
        var packets = 0
        for _ in 0..<3 {
            let start = ContinuousClock.now
            packets = try body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return (best, packets)
    }

    /// Where replay time goes, stage by stage over the same file: reading records only, reading and
    /// decoding, the whole pipeline (decode, registry, pending evidence, the classifier and every
    /// detector: the stages `lanscope replay` runs) without the history store, and the command's
    /// logic itself (`Commands.replay` into a fresh database: the pipeline plus history, decoded
    /// ahead). Between the last two, the pipeline as a replay runs it, on three threads. Best of
    /// three each, with each stage's ratio to reading alone.
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["LANSCOPE_REPLAY_BENCH_FILE"] != nil,
            "set LANSCOPE_REPLAY_BENCH_FILE to run"))
    func replay_reportsStageCosts_forCaptureFile() throws {
        let path = try #require(ProcessInfo.processInfo.environment["LANSCOPE_REPLAY_BENCH_FILE"])
        let read = try Self.bestOfThree {
            let reader = try PcapFileReader(path: path)
            var bytes = 0
            try reader.forEachPacket { data, _, _ in bytes &+= data.count }
            #expect(bytes > 0)
            return reader.packetsRead
        }
        // The same through libpcap's `pcap_next_ex`, which read every file before `ClassicPcapRecords`.
        let readLibpcap = try Self.bestOfThree {
            let reader = try PcapFileReader(path: path, libpcapOnly: true)
            var bytes = 0
            try reader.forEachPacket { data, _, _ in bytes &+= data.count }
            #expect(bytes > 0)
            return reader.packetsRead
        }
        let decode = try Self.bestOfThree {
            let reader = try PcapFileReader(path: path)
            let decoder = FrameDecoder(linkType: reader.linkType)
            var result = DecodeResult()
            var observations = 0
            try reader.forEachPacket { data, wireLength, time in
                decoder.decode(data, wireLength: wireLength, time: time, into: &result)
                observations &+= result.observations.count
            }
            #expect(observations > 0)
            return reader.packetsRead
        }
        var devices = 0
        let pipeline = try Self.bestOfThree {
            let reader = try PcapFileReader(path: path)
            let linkType = reader.linkType
            let pipeline = Pipeline(registry: DeviceRegistry(), stages: ServiceStages.make(known: []))
            try reader.forEachPacket { data, wireLength, time in
                pipeline.process(data, wireLength: wireLength, time: time, linkType: linkType)
            }
            pipeline.publishStatistics()
            if let last = pipeline.statistics().lastFrameTime { pipeline.finish(at: last) }
            #expect(pipeline.statistics().frames == UInt64(reader.packetsRead))
            devices = pipeline.registry.count
            return reader.packetsRead
        }
        // The same work as `pipeline` as a replay runs it: read and decoded on a second thread,
        // evidence kept on a third (`DecodeAhead`, `EvidenceKeeper`); wall time, so it shows the
        // overlap only when a second core is free.
        let ahead = Self.bestOfThree {
            let pipeline = Pipeline(registry: DeviceRegistry(), stages: ServiceStages.make(known: []))
            let runner = ReplayRunner(pipeline: pipeline)
            let report = runner.replay(path: path)
            #expect(runner.lastReplayThreads == (true, true))
            #expect(pipeline.registry.count == devices)
            return report.packets
        }
        var stored = 0
        let command = try Self.bestOfThree {
            let directory = TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let outcome = try Commands.replay(
                files: [path], databasePath: directory.appendingPathComponent("bench.db").path, ouiPath: nil,
                logger: Logger(label: "bench"))
            stored = outcome.devices.count
            return outcome.files.first?.packets ?? 0
        }
        #expect(read.packets > 0)
        #expect(readLibpcap.packets == read.packets)
        #expect(decode.packets == read.packets)
        #expect(pipeline.packets == read.packets)
        #expect(ahead.packets == read.packets)
        #expect(command.packets == read.packets)
        #expect(devices > 0)
        #expect(stored == devices)
        for (name, stage) in [
            ("read only", read), ("read only, through libpcap", readLibpcap),
            ("read + decode", decode), ("+ pipeline, classifier, detectors", pipeline),
            ("the same, decoded ahead (3 threads)", ahead), ("+ history (lanscope replay --db)", command),
        ] {
            print(
                String(
                    format: "bench-replay: %@ %8.1f ms  %10.0f packets/s  x%.2f read",
                    name.padding(toLength: 38, withPad: " ", startingAt: 0) as NSString, stage.milliseconds,
                    Double(stage.packets) / stage.milliseconds * 1000, stage.milliseconds / read.milliseconds))
        }
        print(
            String(
                format:
                    "bench-replay: per packet: read %.0f ns, decode +%.0f ns, pipeline and stages +%.0f ns, history +%.0f ns (%d devices); decoded ahead: %.0f ns in all, history +%.0f ns",
                read.milliseconds * 1e6 / Double(read.packets),
                (decode.milliseconds - read.milliseconds) * 1e6 / Double(read.packets),
                (pipeline.milliseconds - decode.milliseconds) * 1e6 / Double(read.packets),
                (command.milliseconds - pipeline.milliseconds) * 1e6 / Double(read.packets), devices,
                ahead.milliseconds * 1e6 / Double(read.packets),
                (command.milliseconds - ahead.milliseconds) * 1e6 / Double(read.packets)))
    }
}
