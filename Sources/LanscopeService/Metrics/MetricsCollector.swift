import Exposition
import Inventory
import LanscopeCore

/// Builds every metric family at scrape time from snapshots: the registry, the backend's counters
/// (BPF maps or userspace), the pipeline's statistics and the service's own counters.
public struct MetricsCollector: Sendable {
    public struct Configuration: Sendable {
        /// Most devices exported per scrape (default 10000): a MAC flood cannot blow up Prometheus.
        /// The most recently seen devices win; the rest are counted in
        /// `lanscope_exposition_devices_omitted`.
        public var maxExportedDevices: Int = 10_000
        /// A device is up when seen within this window (default 5 minutes).
        public var presenceWindow: Duration = .seconds(300)
        public init() {}
    }

    public var configuration: Configuration
    public let registry: DeviceRegistry
    public let pipeline: Pipeline
    public let traffic: any TrafficSource
    public let counters: ServiceCounters
    public let clock: any Clock
    public let processMetrics: @Sendable () -> [MetricFamily]

    public init(configuration: Configuration, registry: DeviceRegistry, pipeline: Pipeline, traffic: any TrafficSource,
                counters: ServiceCounters, clock: any Clock, processMetrics: @escaping @Sendable () -> [MetricFamily]) {
        self.configuration = configuration
        self.registry = registry
        self.pipeline = pipeline
        self.traffic = traffic
        self.counters = counters
        self.clock = clock
        self.processMetrics = processMetrics
    }

    /// Devices as exported: registry identity joined with the backend's counters, capped.
    public func exportedDevices() -> (devices: [Device], omitted: Int) {
        var devices = registry.snapshot()
        if let backend = traffic.deviceTraffic() {
            for i in devices.indices {
                if let t = backend[devices[i].mac] {
                    devices[i].traffic = t.counters
                    if let seen = t.lastSeen, seen > devices[i].lastSeen { devices[i].lastSeen = seen }
                } else {
                    devices[i].traffic = TrafficCounters()
                }
            }
        }
        guard devices.count > configuration.maxExportedDevices else { return (devices, 0) }
        let keep = devices.sorted { ($0.lastSeen, $1.mac) > ($1.lastSeen, $0.mac) }.prefix(configuration.maxExportedDevices)
        return (keep.sorted { $0.mac < $1.mac }, devices.count - configuration.maxExportedDevices)
    }

    public func collect() -> [MetricFamily] {
        let now = clock.now()
        let (devices, omitted) = exportedDevices()
        let stats = pipeline.statistics()
        let capture = traffic.captureStatus()
        var families: [MetricFamily] = []
        families.reserveCapacity(40)

        var info = MetricFamilyBuilder(name: "lanscope_device", help: "Device identity; join on mac with * on(mac) group_left(...).",
                                       type: .info, labelNames: ["mac", "ip", "ipv6", "hostname", "vendor", "locally_administered", "dhcp_vendor_class"],
                                       minimumCapacity: devices.count)
        var txPackets = builder("lanscope_device_transmitted_packets", "Frames the device sent (source MAC).", .counter, devices.count)
        var txBytes = builder("lanscope_device_transmitted_bytes", "Bytes the device sent, Ethernet frame length without FCS.", .counter, devices.count)
        var rxPackets = builder("lanscope_device_received_packets", "Frames addressed to the device (destination MAC).", .counter, devices.count)
        var rxBytes = builder("lanscope_device_received_bytes", "Bytes addressed to the device, Ethernet frame length without FCS.", .counter, devices.count)
        var lastSeen = builder("lanscope_device_last_seen_timestamp_seconds", "When the device was last seen (Unix time).", .gauge, devices.count)
        var firstSeen = builder("lanscope_device_first_seen_timestamp_seconds", "When the device was first seen (Unix time).", .gauge, devices.count)
        var up = builder("lanscope_device_up", "1 when the device was seen within the presence window.", .gauge, devices.count)
        let classLabels = ["mac", "direction", "ip_version", "protocol"]
        var classPackets = MetricFamilyBuilder(name: "lanscope_device_traffic_packets", help: "Frames per device by direction, IP version and L4 protocol.",
                                               type: .counter, labelNames: classLabels, minimumCapacity: devices.count * 4)
        var classBytes = MetricFamilyBuilder(name: "lanscope_device_traffic_bytes", help: "Bytes per device by direction, IP version and L4 protocol.",
                                             type: .counter, labelNames: classLabels, minimumCapacity: devices.count * 4)
        var online = 0
        for d in devices {
            let mac = d.mac.description
            let ips = d.sortedAddresses
            info.add(labelValues: [mac, ips.first { $0.version == 4 }?.description ?? "", ips.first { $0.version == 6 }?.description ?? "",
                                   d.hostname ?? "", d.vendor ?? "", d.isLocallyAdministered ? "true" : "false", d.dhcp?.vendorClass ?? ""])
            txPackets.add(mac, value: Double(d.traffic.transmittedPackets))
            txBytes.add(mac, value: Double(d.traffic.transmittedBytes))
            rxPackets.add(mac, value: Double(d.traffic.receivedPackets))
            rxBytes.add(mac, value: Double(d.traffic.receivedBytes))
            lastSeen.add(mac, value: d.lastSeen.seconds)
            firstSeen.add(mac, value: d.firstSeen.seconds)
            let isUp = d.lastSeen >= now - configuration.presenceWindow
            if isUp { online += 1 }
            up.add(mac, value: isUp ? 1 : 0)
            for (cls, count) in d.traffic.byClass.sorted(by: { $0.key < $1.key }) where count.packets > 0 {
                let labels = [mac, cls.direction.rawValue, cls.family.rawValue, cls.l4.rawValue]
                classPackets.add(labelValues: labels, value: Double(count.packets))
                classBytes.add(labelValues: labels, value: Double(count.bytes))
            }
        }
        families += [info.build(), txPackets.build(), txBytes.build(), rxPackets.build(), rxBytes.build(), lastSeen.build(),
                     firstSeen.build(), up.build(), classPackets.build(), classBytes.build()]

        var deviceCount = builder("lanscope_devices", "Devices in the inventory by presence.", .gauge, 2, label: "state")
        deviceCount.add("online", value: Double(online))
        deviceCount.add("offline", value: Double(devices.count - online))
        families.append(deviceCount.build())
        families.append(single("lanscope_exposition_devices_omitted", "Devices left out of this scrape by the export cap.", .gauge, Double(omitted)))
        let registryStats = registry.statistics
        families.append(single("lanscope_inventory_devices_rejected", "New MACs refused because the inventory was full (MAC flood protection).",
                               .counter, Double(registryStats.devicesRejected)))
        families.append(single("lanscope_inventory_devices_expired", "Devices removed after their time-to-live.", .counter,
                               Double(registryStats.devicesExpired)))

        var discovery = builder("lanscope_discovery_packets", "Discovery frames decoded, by protocol.", .counter, 16, label: "protocol")
        for (p, n) in stats.discoveryPackets.sorted(by: { $0.key < $1.key }) { discovery.add(p.rawValue, value: Double(n)) }
        families.append(discovery.build())
        var errors = builder("lanscope_decode_errors", "Frames that failed to decode, by the protocol layer that failed.", .counter, 16, label: "protocol")
        for (p, n) in stats.decodeErrors.sorted(by: { $0.key < $1.key }) { errors.add(p.rawValue, value: Double(n)) }
        families.append(errors.build())
        families.append(single("lanscope_capture_packets", "Frames processed by the userspace pipeline.", .counter, Double(stats.frames)))
        families.append(single("lanscope_capture_bytes", "Wire bytes of frames processed by the userspace pipeline.", .counter, Double(stats.bytes)))
        families.append(single("lanscope_observations", "Facts about devices learned from decoded frames.", .counter, Double(stats.observations)))

        var dropped = builder("lanscope_capture_dropped", "Frames lost or not delivered before decoding, by reason.", .counter, 8, label: "reason")
        for (reason, n) in capture.dropped.sorted(by: { $0.key < $1.key }) { dropped.add(reason, value: Double(n)) }
        families.append(dropped.build())
        families.append(single("lanscope_capture_up", "1 when the capture backend is attached and delivering.", .gauge, capture.up ? 1 : 0))
        var captureInfo = MetricFamilyBuilder(name: "lanscope_capture", help: "Capture backend, mode and interface in use.", type: .info,
                                              labelNames: ["backend", "mode", "interface"])
        captureInfo.add(capture.backend, capture.mode, capture.interface)
        families.append(captureInfo.build())
        var mapEntries = builder("lanscope_bpf_map_entries", "Entries in a BPF map.", .gauge, 4, label: "map")
        var mapCapacity = builder("lanscope_bpf_map_capacity", "Capacity (max_entries) of a BPF map.", .gauge, 4, label: "map")
        for (name, fill) in capture.maps.sorted(by: { $0.key < $1.key }) {
            mapEntries.add(name, value: Double(fill.entries))
            mapCapacity.add(name, value: Double(fill.capacity))
        }
        families += [mapEntries.build(), mapCapacity.build()]

        var anomalies = MetricFamilyBuilder(name: "lanscope_anomalies", help: "Anomaly events raised, by kind and severity.", type: .counter,
                                            labelNames: ["kind", "severity"])
        for (key, n) in stats.anomalies.sorted(by: { $0.key < $1.key }) { anomalies.add(key.kind.rawValue, key.severity.rawValue, value: Double(n)) }
        families.append(anomalies.build())

        let store = counters.storeCounters()
        families.append(single("lanscope_store_writes", "History batches written to SQLite.", .counter, Double(store.writes)))
        families.append(single("lanscope_store_errors", "History writes that failed.", .counter, Double(store.errors)))
        families.append(single("lanscope_store_dropped_batches", "History batches dropped because the writer queue was full.", .counter,
                               Double(store.droppedBatches)))
        var http = MetricFamilyBuilder(name: "lanscope_http_requests", help: "HTTP requests served, by route and status code.", type: .counter,
                                       labelNames: ["route", "code"])
        for (key, n) in counters.httpRequests().sorted(by: { $0.key < $1.key }) { http.add(key.route, String(key.code), value: Double(n)) }
        families.append(http.build())

        var build = MetricFamilyBuilder(name: "lanscope_build", help: "lanscope version and toolchain.", type: .info,
                                        labelNames: ["version", "swift_version"])
        build.add(BuildInfo.version, BuildInfo.swiftVersion)
        families.append(build.build())
        families += processMetrics()
        return families
    }

    private func builder(_ name: String, _ help: String, _ type: MetricType, _ capacity: Int, label: String = "mac") -> MetricFamilyBuilder {
        MetricFamilyBuilder(name: name, help: help, type: type, labelNames: [label], minimumCapacity: capacity)
    }

    private func single(_ name: String, _ help: String, _ type: MetricType, _ value: Double) -> MetricFamily {
        var b = MetricFamilyBuilder(name: name, help: help, type: type, labelNames: [])
        b.add(labelValues: [], value: value)
        return b.build()
    }
}
