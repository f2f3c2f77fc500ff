import Exposition
import Foundation
import HTTPServer
import Inventory
import LanscopeCore
import LanscopePipeline
import TestSupport
import Testing

@testable import LanscopeService

/// The export cap keeps the most recently seen devices and says how many it left out; a backend
/// with its own counters (eBPF) replaces the registry's.
@Suite struct ExportCapTests {
    struct FixedTraffic: TrafficSource {
        var table: DeviceTrafficTable?
        func deviceTraffic() -> DeviceTrafficTable? { table }
        func captureStatus() -> CaptureStatus {
            CaptureStatus(backend: "test", mode: "host", interface: "t0", up: true)
        }
    }

    static func collector(cap: Int, traffic: DeviceTrafficTable? = nil) -> MetricsCollector {
        let registry = DeviceRegistry()
        for i in 1...5 {
            var frame = FrameSummary()
            frame.source = MACAddress(rawValue: 0x3c22fb000000 | UInt64(i))
            frame.wireLength = 100 * i
            registry.count(frame, at: Timestamp(seconds: 1000 + Int64(i)))
        }
        var configuration = MetricsCollector.Configuration()
        configuration.maxExportedDevices = cap
        return MetricsCollector(
            configuration: configuration, registry: registry,
            pipeline: Pipeline(registry: registry, stages: []),
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
        #expect(
            infos.allSatisfy {
                $0.contains("3c:22:fb:00:00:03") || $0.contains("3c:22:fb:00:00:04") || $0.contains("3c:22:fb:00:00:05")
            })
        #expect(text.contains("lanscope_exposition_devices_omitted 2\n"))
        let sameForJSON = Self.collector(cap: 3).exportedDevices()
        #expect(
            sameForJSON.devices.map(\.mac.description) == [
                "3c:22:fb:00:00:03", "3c:22:fb:00:00:04", "3c:22:fb:00:00:05",
            ])
        #expect(sameForJSON.omitted == 2)
    }

    /// The presence gauge counts the inventory, not the exported subset: devices the cap left out are
    /// neither "offline" nor missing (all five were seen within the presence window).
    @Test func devicesGauge_countsWholeInventory_whenCapOmitsDevices() {
        let text = Self.text(Self.collector(cap: 2))
        #expect(text.contains("lanscope_exposition_devices_omitted 3\n"))
        #expect(text.contains("lanscope_devices{state=\"online\"} 5\n"))
        #expect(text.contains("lanscope_devices{state=\"offline\"} 0\n"))
        #expect(text.contains("lanscope_devices_by_type{type=\"unknown\"} 5\n"))
    }

    /// /devices.json is the inventory, not the export: devices the cap leaves out of /metrics are listed,
    /// with `X-Total-Count` and `limit`/`offset` to page through them.
    @Test func devicesJSON_listsWholeInventory_andPages() throws {
        let collector = Self.collector(cap: 2)
        let routes = ServiceRoutes(
            collector: collector, pipeline: collector.pipeline, history: nil,
            clock: ManualClock(Timestamp(seconds: 1010)), readiness: { true })
        func macs(_ target: String) throws -> (macs: [String], total: String?) {
            let response = routes.handle(HTTPRequest(method: "GET", target: target, headers: HTTPHeaders()))
            #expect(response.status == .ok, "\(target)")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
            return (list.compactMap { $0["mac"] as? String }, response.headers["x-total-count"])
        }
        let all = try macs("/devices.json")
        #expect(all.macs.count == 5)
        #expect(all.total == "5")
        let page = try macs("/devices.json?offset=1&limit=2")
        #expect(page.macs == ["3c:22:fb:00:00:02", "3c:22:fb:00:00:03"])
        #expect(page.total == "5")
        #expect(try macs("/devices.json?type=unknown").macs.count == 5)
        #expect(try macs("/devices.json?type=printer").macs.isEmpty)
        for bad in ["/devices.json?type=toaster", "/devices.json?limit=-1", "/devices.json?offset=x"] {
            #expect(
                routes.handle(HTTPRequest(method: "GET", target: bad, headers: HTTPHeaders())).status == .badRequest)
        }
    }

    @Test func backendCounters_replaceRegistryCounters() {
        let mac = MACAddress(rawValue: 0x3c22fb000001)
        var cells = [PacketByteCount](repeating: PacketByteCount(), count: DeviceTrafficTable.cellsPerDevice)
        cells[TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp).ordinal] = PacketByteCount(
            packets: 40, bytes: 4000)
        cells[TrafficClass(direction: .transmitted, family: .other, l4: .other).ordinal] = PacketByteCount(
            packets: 2, bytes: 200)
        let table = DeviceTrafficTable(macs: [mac], lastSeen: [Timestamp(seconds: 1009)], cells: cells)
        let text = Self.text(Self.collector(cap: 10, traffic: table))
        #expect(text.contains("lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:01\"} 4200\n"))
        #expect(text.contains("lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:02\"} 0\n"))
        #expect(text.contains("lanscope_device_last_seen_timestamp_seconds{mac=\"3c:22:fb:00:00:01\"} 1009\n"))
    }

    /// A kernel table filled in slot order (not MAC order), holding a device the inventory does not
    /// know and missing two it does: every route joins it by MAC.
    static func kernelTable() -> DeviceTrafficTable {
        let width = DeviceTrafficTable.cellsPerDevice
        func cells(_ entries: [(TrafficClass, UInt64, UInt64)]) -> [PacketByteCount] {
            var row = [PacketByteCount](repeating: PacketByteCount(), count: width)
            for (cls, packets, bytes) in entries { row[cls.ordinal] = PacketByteCount(packets: packets, bytes: bytes) }
            return row
        }
        let tcp4Out = TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp)
        let udp6In = TrafficClass(direction: .received, family: .ipv6, l4: .udp)
        let otherOut = TrafficClass(direction: .transmitted, family: .other, l4: .other)
        return DeviceTrafficTable(
            macs: [0x3c22fb000005, 0x3c22fb000002, 0x3c22fb000009, 0x3c22fb000001].map(MACAddress.init(rawValue:)),
            lastSeen: [
                Timestamp(seconds: 1003), Timestamp(seconds: 1009, nanoseconds: 500_000_000),
                Timestamp(seconds: 1009), Timestamp(seconds: 1008),
            ],
            cells: cells([(tcp4Out, 7, 700)]) + cells([(udp6In, 3, 300), (tcp4Out, 1, 60)])
                + cells([(tcp4Out, 100, 10_000)])
                + cells([(otherOut, 2, 200)]))
    }

    @Test func kernelTable_joinedByMAC_inMetrics() {
        var collector = Self.collector(cap: 10, traffic: Self.kernelTable())
        collector.configuration.deviceTrafficBreakdown = true
        let text = Self.text(collector)
        let tx = text.split(separator: "\n").filter { $0.hasPrefix("lanscope_device_transmitted_bytes_total{") }
        #expect(
            tx == [
                "lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:01\"} 200",
                "lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:02\"} 60",
                "lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:03\"} 0",
                "lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:04\"} 0",
                "lanscope_device_transmitted_bytes_total{mac=\"3c:22:fb:00:00:05\"} 700",
            ])
        #expect(text.contains("lanscope_device_received_packets_total{mac=\"3c:22:fb:00:00:02\"} 3\n"))
        #expect(!text.contains("3c:22:fb:00:00:09"))
        // Last seen: the later of the inventory's and the kernel's.
        #expect(text.contains("lanscope_device_last_seen_timestamp_seconds{mac=\"3c:22:fb:00:00:02\"} 1009.5\n"))
        #expect(text.contains("lanscope_device_last_seen_timestamp_seconds{mac=\"3c:22:fb:00:00:05\"} 1005\n"))
        // The breakdown in label order, and LAN-wide sums over exported devices only.
        let classes = text.split(separator: "\n").filter {
            $0.hasPrefix("lanscope_device_traffic_bytes_total{mac=\"3c:22:fb:00:00:02\"")
        }
        #expect(
            classes == [
                "lanscope_device_traffic_bytes_total{mac=\"3c:22:fb:00:00:02\",direction=\"received\",ip_version=\"ipv6\",protocol=\"udp\"} 300",
                "lanscope_device_traffic_bytes_total{mac=\"3c:22:fb:00:00:02\",direction=\"transmitted\",ip_version=\"ipv4\",protocol=\"tcp\"} 60",
            ])
        #expect(
            text.contains(
                "lanscope_traffic_bytes_total{direction=\"transmitted\",ip_version=\"ipv4\",protocol=\"tcp\"} 760\n"))
        #expect(
            text.contains(
                "lanscope_traffic_bytes_total{direction=\"transmitted\",ip_version=\"other\",protocol=\"other\"} 200\n")
        )
    }

    @Test func kernelTable_capKeepsMostRecentlySeenBySide() {
        let collector = Self.collector(cap: 2, traffic: Self.kernelTable())
        let text = Self.text(collector)
        // 02 (kernel 1009.5) and 01 (kernel 1008) beat 05 (inventory 1005).
        let infos = text.split(separator: "\n").filter { $0.hasPrefix("lanscope_device_info{") }
        #expect(infos.count == 2)
        #expect(infos[0].contains("3c:22:fb:00:00:01") && infos[1].contains("3c:22:fb:00:00:02"))
        #expect(text.contains("lanscope_exposition_devices_omitted 3\n"))
        #expect(
            collector.exportedDevices().devices.map(\.mac.description) == ["3c:22:fb:00:00:01", "3c:22:fb:00:00:02"])
    }

    @Test func kernelTable_joinedByMAC_inJSONRoutes() throws {
        let collector = Self.collector(cap: 10, traffic: Self.kernelTable())
        let exported = collector.exportedDevices().devices
        let two = try #require(exported.first { $0.mac.rawValue == 0x3c22fb000002 })
        #expect(two.traffic.byClass.count == 2)
        #expect(two.traffic.receivedBytes == 300)
        #expect(two.lastSeen == Timestamp(seconds: 1009, nanoseconds: 500_000_000))
        #expect(exported.first { $0.mac.rawValue == 0x3c22fb000003 }?.traffic == TrafficCounters())
        #expect(collector.exportedDevice(MACAddress(rawValue: 0x3c22fb000009)) == nil)
        #expect(collector.exportedDevice(MACAddress(rawValue: 0x3c22fb000001))?.traffic.transmittedBytes == 200)

        let routes = ServiceRoutes(
            collector: collector, pipeline: collector.pipeline, history: nil,
            clock: ManualClock(Timestamp(seconds: 1010)), readiness: { true })
        let response = routes.devices(
            HTTPRequest(method: "GET", target: "/devices.json?online=true", headers: HTTPHeaders()))
        let devices = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        #expect(devices.count == 5)
        let json = try #require(devices.first { $0["mac"] as? String == "3c:22:fb:00:00:02" })
        let counters = try #require(json["counters"] as? [String: Any])
        #expect(counters["transmitted_bytes"] as? Int == 60)
        #expect(counters["received_bytes"] as? Int == 300)
        #expect(json["last_seen"] as? String == "1970-01-01T00:16:49.500Z")
        let three = try #require(devices.first { $0["mac"] as? String == "3c:22:fb:00:00:03" })
        #expect((three["counters"] as? [String: Any])?["transmitted_bytes"] as? Int == 0)
    }
}

/// `lanscope run` keeps scrape buffers in the heap between scrapes (see ScrapeMemory).
@Suite struct ScrapeMemoryTests {
    @Test func retainAcrossScrapes_isAcceptedByTheAllocator() {
        #expect(ScrapeMemory.retainAcrossScrapes())
        #expect(ScrapeMemory.retainAcrossScrapes(), "idempotent")
    }
}
