import Exposition
import Inventory
import LanscopeCore
@testable import LanscopeService
import TestSupport
import Testing

/// The export cap keeps the most recently seen devices and says how many it left out; a backend
/// with its own counters (eBPF) replaces the registry's.
@Suite struct ExportCapTests {
    struct FixedTraffic: TrafficSource {
        var table: [MACAddress: DeviceTraffic]?
        func deviceTraffic() -> [MACAddress: DeviceTraffic]? { table }
        func captureStatus() -> CaptureStatus { CaptureStatus(backend: "test", mode: "host", interface: "t0", up: true) }
    }

    static func collector(cap: Int, traffic: [MACAddress: DeviceTraffic]? = nil) -> MetricsCollector {
        let registry = DeviceRegistry()
        for i in 1...5 {
            var frame = FrameSummary()
            frame.source = MACAddress(rawValue: 0x3c22fb000000 | UInt64(i))
            frame.wireLength = 100 * i
            registry.count(frame, at: Timestamp(seconds: 1000 + Int64(i)))
        }
        var configuration = MetricsCollector.Configuration()
        configuration.maxExportedDevices = cap
        return MetricsCollector(configuration: configuration, registry: registry,
                                pipeline: Pipeline(registry: registry, knownDevices: [MACAddress]()),
                                traffic: FixedTraffic(table: traffic), counters: ServiceCounters(),
                                clock: ManualClock(Timestamp(seconds: 1010)), processMetrics: { [] })
    }

    static func text(_ c: MetricsCollector) -> String {
        String(decoding: ExpositionEncoder.encode(c.collect(), format: .prometheusText), as: UTF8.self)
    }

    @Test func cap_keepsMostRecentDevices_andCountsTheRest() {
        let text = Self.text(Self.collector(cap: 3))
        let infos = text.split(separator: "\n").filter { $0.hasPrefix("lanscope_device_info{") }
        #expect(infos.count == 3)
        #expect(infos.allSatisfy { $0.contains("3c:22:fb:00:00:03") || $0.contains("3c:22:fb:00:00:04") || $0.contains("3c:22:fb:00:00:05") })
        #expect(text.contains("lanscope_exposition_devices_omitted 2\n"))
        let sameForJSON = Self.collector(cap: 3).exportedDevices()
        #expect(sameForJSON.devices.map(\.mac.description) == ["3c:22:fb:00:00:03", "3c:22:fb:00:00:04", "3c:22:fb:00:00:05"])
        #expect(sameForJSON.omitted == 2)
    }

    @Test func backendCounters_replaceRegistryCounters() {
        var counters = TrafficCounters()
        counters.transmittedPackets = 42
        counters.transmittedBytes = 4200
        let mac = MACAddress(rawValue: 0x3c22fb000001)
        let text = Self.text(Self.collector(cap: 10, traffic: [mac: DeviceTraffic(counters: counters, lastSeen: Timestamp(seconds: 1009))]))
        #expect(text.contains("lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:01\"} 4200\n"))
        #expect(text.contains("lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:02\"} 0\n"))
        #expect(text.contains("lanscope_device_last_seen_timestamp_seconds{mac=\"3c:22:fb:00:00:01\"} 1009\n"))
    }
}
