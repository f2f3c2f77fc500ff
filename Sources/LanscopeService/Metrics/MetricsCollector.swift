import Exposition
import Inventory
import LanscopeCore
import LanscopePipeline

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
        /// Export per-device traffic by direction × IP version × L4 protocol
        /// (`lanscope_device_traffic_{packets,bytes}_total{mac,...}`, up to 24 series each per device).
        /// Default false: it multiplies the series per device; the LAN-wide split
        /// (`lanscope_traffic_*_total`) is always exported.
        public var deviceTrafficBreakdown: Bool = false
        public init() {}
    }

    public var configuration: Configuration
    public let registry: DeviceRegistry
    public let pipeline: Pipeline
    public let traffic: any TrafficSource
    public let counters: ServiceCounters
    public let clock: any Clock
    public let processMetrics: @Sendable () -> [MetricFamily]

    public init(
        configuration: Configuration, registry: DeviceRegistry, pipeline: Pipeline, traffic: any TrafficSource,
        counters: ServiceCounters, clock: any Clock, processMetrics: @escaping @Sendable () -> [MetricFamily]
    ) {
        self.configuration = configuration
        self.registry = registry
        self.pipeline = pipeline
        self.traffic = traffic
        self.counters = counters
        self.clock = clock
        self.processMetrics = processMetrics
    }

    /// Devices as exported: registry identity joined with the backend's counters, capped (the same
    /// selection as `exportedOrder`, as `Device` values).
    public func exportedDevices() -> (devices: [Device], omitted: Int) {
        let view = exportedOrder()
        let devices = view.selected.map {
            MetricsCollector.joined(view.devices[$0], backend: view.backend, row: view.backendRow($0))
        }
        return (devices, view.omitted)
    }

    /// One device as exported (cap aside), or nil when the registry does not know it.
    public func exportedDevice(_ mac: MACAddress) -> Device? {
        guard let device = registry.device(mac) else { return nil }
        let backend = traffic.deviceTraffic()
        return MetricsCollector.joined(device, backend: backend, row: backend?.row(of: mac))
    }

    /// A device with the backend's counters and last-seen (its `row` there, nil when it has none),
    /// when the backend keeps its own.
    static func joined(_ device: Device, backend: DeviceTrafficTable?, row: Int?) -> Device {
        guard let backend else { return device }
        var device = device
        guard let row else {
            device.traffic = TrafficCounters()
            return device
        }
        device.traffic = backend.counters(at: row)
        device.lastSeen = max(device.lastSeen, backend.lastSeen[row])
        return device
    }

    /// What a scrape exports, without copying devices.
    struct ExportView {
        /// The registry's devices in storage order.
        let devices: [Device]
        /// Indices into `devices` to export, in MAC order, capped.
        let selected: [Int]
        /// Devices the cap left out.
        let omitted: Int
        /// The backend's counters when it keeps its own (eBPF).
        let backend: DeviceTrafficTable?
        /// The backend's row of each device, indexed like `devices`; empty without a backend.
        let backendRows: [Int?]

        /// The backend's row of `devices[i]`, nil when the backend has none or there is no backend.
        func backendRow(_ i: Int) -> Int? { backendRows.isEmpty ? nil : backendRows[i] }

        /// When `devices[i]` was last seen by the registry or the backend, whichever is later.
        func lastSeen(_ i: Int) -> Timestamp {
            guard let backend, let row = backendRow(i) else { return devices[i].lastSeen }
            return max(devices[i].lastSeen, backend.lastSeen[row])
        }
    }

    /// The scrape's view: the registry's devices joined with the backend's table in one forward pass
    /// (both are in MAC order), and the export cap applied by last-seen on either side.
    func exportedOrder() -> ExportView {
        let (devices, order) = registry.orderedSnapshot()
        let backend = traffic.deviceTraffic()
        var rows: [Int?] = []
        if let backend {
            rows = [Int?](repeating: nil, count: devices.count)
            var cursor = backend.cursor
            for i in order { rows[i] = cursor.seek(devices[i].mac) }
        }
        let all = ExportView(devices: devices, selected: order, omitted: 0, backend: backend, backendRows: rows)
        guard order.count > configuration.maxExportedDevices else { return all }
        let seen = devices.indices.map(all.lastSeen)
        let recent = order.sorted { (seen[$0], devices[$1].mac) > (seen[$1], devices[$0].mac) }.prefix(
            configuration.maxExportedDevices)
        let kept = recent.sorted { devices[$0].mac < devices[$1].mac }
        return ExportView(devices: devices, selected: kept, omitted: order.count - kept.count, backend: backend,
                          backendRows: rows)
    }

    public func collect() -> [MetricFamily] {
        let now = clock.now()
        let view = exportedOrder()
        let (devices, selected, omitted, backend) = (view.devices, view.selected, view.omitted, view.backend)
        let stats = pipeline.statistics()
        let capture = traffic.captureStatus()
        var families: [MetricFamily] = []
        families.reserveCapacity(40)

        // Per-device families: written line by line in MAC order (the snapshot's order) — the bulk of
        // every scrape, so no per-series storage or sort (see SampleLineWriter).
        let n = selected.count
        var info = SampleLineWriter(
            name: "lanscope_device", type: .info,
            labelNames: ["mac", "ip", "ipv6", "hostname", "vendor", "locally_administered", "dhcp_vendor_class"],
            reserveBytes: n * 200)
        var txPackets = SampleLineWriter(
            name: "lanscope_device_transmitted_packets", type: .counter, labelNames: ["mac"], reserveBytes: n * 72)
        var txBytes = SampleLineWriter(
            name: "lanscope_device_transmitted_bytes", type: .counter, labelNames: ["mac"], reserveBytes: n * 72)
        var rxPackets = SampleLineWriter(
            name: "lanscope_device_received_packets", type: .counter, labelNames: ["mac"], reserveBytes: n * 72)
        var rxBytes = SampleLineWriter(
            name: "lanscope_device_received_bytes", type: .counter, labelNames: ["mac"], reserveBytes: n * 72)
        var lastSeen = SampleLineWriter(
            name: "lanscope_device_last_seen_timestamp_seconds", type: .gauge, labelNames: ["mac"],
            reserveBytes: n * 80)
        var firstSeen = SampleLineWriter(
            name: "lanscope_device_first_seen_timestamp_seconds", type: .gauge, labelNames: ["mac"],
            reserveBytes: n * 80)
        var up = SampleLineWriter(name: "lanscope_device_up", type: .gauge, labelNames: ["mac"], reserveBytes: n * 48)
        let classLabels = ["mac", "direction", "ip_version", "protocol"]
        let breakdown = configuration.deviceTrafficBreakdown
        var classPackets = SampleLineWriter(
            name: "lanscope_device_traffic_packets", type: .counter, labelNames: classLabels,
            reserveBytes: breakdown ? n * 400 : 0)
        var classBytes = SampleLineWriter(
            name: "lanscope_device_traffic_bytes", type: .counter, labelNames: classLabels,
            reserveBytes: breakdown ? n * 400 : 0)
        var online = 0
        let cutoff = now - configuration.presenceWindow
        var lanWide = [PacketByteCount](repeating: PacketByteCount(), count: MetricsCollector.classCells.count)
        // One device's cells by `TrafficClass.ordinal`: the kernel table's own storage with the eBPF
        // backend, else the registry's breakdown spread into `scratch`.
        let cellCount = DeviceTrafficTable.cellsPerDevice
        let scratch = UnsafeMutableBufferPointer<PacketByteCount>.allocate(capacity: cellCount)
        scratch.initialize(repeating: PacketByteCount())
        defer { scratch.deallocate() }
        let noCells = [PacketByteCount](repeating: PacketByteCount(), count: cellCount)
        let kernelCells = backend?.cells ?? []
        let kernelSeen = backend?.lastSeen ?? []
        // Fields are read in place through the buffers: binding a `Device` copy would retain and
        // release a dozen buffers per device on every scrape.
        devices.withUnsafeBufferPointer { devices in
            kernelCells.withUnsafeBufferPointer { kernelCells in
                noCells.withUnsafeBufferPointer { noCells in
                    for i in selected {
                        var seenAt = devices[i].lastSeen
                        var transmitted = PacketByteCount()
                        var received = PacketByteCount()
                        let cells: UnsafeBufferPointer<PacketByteCount>
                        if backend != nil {
                            // With the eBPF backend, counters and last-seen come from the kernel table.
                            if let k = view.backendRow(i) {
                                cells = UnsafeBufferPointer(rebasing: kernelCells[(k * cellCount)..<((k + 1) * cellCount)])
                                seenAt = max(seenAt, kernelSeen[k])
                            } else {
                                cells = noCells
                            }
                            for ordinal in 0..<cellCount {
                                if ordinal < cellCount / 2 { received.add(cells[ordinal]) } else { transmitted.add(cells[ordinal]) }
                            }
                        } else {
                            let traffic = devices[i].traffic
                            transmitted = PacketByteCount(packets: traffic.transmittedPackets, bytes: traffic.transmittedBytes)
                            received = PacketByteCount(packets: traffic.receivedPackets, bytes: traffic.receivedBytes)
                            if traffic.byClass.isEmpty {
                                cells = noCells
                            } else {
                                for ordinal in 0..<cellCount { scratch[ordinal] = PacketByteCount() }
                                for (cls, count) in traffic.byClass { scratch[cls.ordinal] = count }
                                cells = UnsafeBufferPointer(scratch)
                            }
                        }
                        let mac = LabelValue(capacity: 17) { devices[i].mac.appendText(to: &$0) }
                        var v4: IPAddress? = nil
                        var v6: IPAddress? = nil
                        for ip in devices[i].addresses.keys {
                            if ip.version == 4 {
                                if v4.map({ ip < $0 }) ?? true { v4 = ip }
                            } else if v6.map({ ip < $0 }) ?? true {
                                v6 = ip
                            }
                        }
                        // Label values straight into the family's bytes: addresses formatted in
                        // place, no String or array per device.
                        info.add(mac, value: 1) { labels in
                            labels.append { v4?.appendText(to: &$0) }
                            labels.append { v6?.appendText(to: &$0) }
                            labels.append(devices[i].hostname)
                            labels.append(devices[i].vendor)
                            labels.append(devices[i].isLocallyAdministered ? "true" : "false")
                            labels.append(devices[i].dhcp?.vendorClass)
                        }
                        txPackets.add(mac, value: Double(transmitted.packets))
                        txBytes.add(mac, value: Double(transmitted.bytes))
                        rxPackets.add(mac, value: Double(received.packets))
                        rxBytes.add(mac, value: Double(received.bytes))
                        // Millisecond precision, written as an exact decimal.
                        lastSeen.add(mac, decimal: seenAt.nanoseconds / 1_000_000, fractionDigits: 3)
                        firstSeen.add(mac, decimal: devices[i].firstSeen.nanoseconds / 1_000_000, fractionDigits: 3)
                        let isUp = seenAt >= cutoff
                        if isUp { online += 1 }
                        up.add(mac, value: isUp ? 1 : 0)
                        // Cells by ordinal are in the label order of the class family (mac, direction,
                        // ip_version, protocol), so the breakdown's series come out sorted.
                        for ordinal in 0..<cellCount where cells[ordinal].packets > 0 {
                            lanWide[ordinal].add(cells[ordinal])
                            if breakdown {
                                let tail = MetricsCollector.classTails[ordinal]
                                classPackets.add(mac, tail, value: Double(cells[ordinal].packets))
                                classBytes.add(mac, tail, value: Double(cells[ordinal].bytes))
                            }
                        }
                    }
                }
            }
        }

        families += [
            info.build(help: "Device identity; join on mac with * on(mac) group_left(...)."),
            txPackets.build(help: "Frames the device sent (source MAC)."),
            txBytes.build(help: "Bytes the device sent, Ethernet frame length without FCS."),
            rxPackets.build(help: "Frames addressed to the device (destination MAC)."),
            rxBytes.build(help: "Bytes addressed to the device, Ethernet frame length without FCS."),
            lastSeen.build(help: "When the device was last seen (Unix time)."),
            firstSeen.build(help: "When the device was first seen (Unix time)."),
            up.build(help: "1 when the device was seen within the presence window."),
        ]
        if breakdown {
            families.append(classPackets.build(help: "Frames per device by direction, IP version and L4 protocol."))
            families.append(classBytes.build(help: "Bytes per device by direction, IP version and L4 protocol."))
        }
        var lanPackets = SampleLineWriter(
            name: "lanscope_traffic_packets", type: .counter, labelNames: ["direction", "ip_version", "protocol"])
        var lanBytes = SampleLineWriter(
            name: "lanscope_traffic_bytes", type: .counter, labelNames: ["direction", "ip_version", "protocol"])
        for (position, cell) in MetricsCollector.classCells.enumerated() where lanWide[position].packets > 0 {
            let labels = [cell.direction.rawValue, cell.family.rawValue, cell.l4.rawValue]
            lanPackets.add(labelValues: labels, value: Double(lanWide[position].packets))
            lanBytes.add(labelValues: labels, value: Double(lanWide[position].bytes))
        }
        families.append(
            lanPackets.build(
                help:
                    "Frames counted for exported devices, summed over devices, by the device's direction, IP version and L4 protocol."
            ))
        families.append(
            lanBytes.build(
                help:
                    "Bytes counted for exported devices, summed over devices, by the device's direction, IP version and L4 protocol."
            ))

        var deviceCount = builder(
            "lanscope_devices", "Devices in the inventory by presence.", .gauge, 2, label: "state")
        deviceCount.add("online", value: Double(online))
        deviceCount.add("offline", value: Double(devices.count - online))
        families.append(deviceCount.build())
        families.append(
            single(
                "lanscope_exposition_devices_omitted", "Devices left out of this scrape by the export cap.", .gauge,
                Double(omitted)))
        let registryStats = registry.statistics
        families.append(
            single(
                "lanscope_inventory_devices_rejected",
                "New MACs refused because the inventory was full (MAC flood protection).",
                .counter, Double(registryStats.devicesRejected)))
        families.append(
            single(
                "lanscope_inventory_devices_expired", "Devices removed after their time-to-live.", .counter,
                Double(registryStats.devicesExpired)))

        var discovery = builder(
            "lanscope_discovery_packets", "Discovery frames decoded, by protocol.", .counter, 16, label: "protocol")
        for (p, n) in stats.discoveryPackets.sorted(by: { $0.key < $1.key }) {
            discovery.add(p.rawValue, value: Double(n))
        }
        families.append(discovery.build())
        var errors = builder(
            "lanscope_decode_errors", "Frames that failed to decode, by the protocol layer that failed.", .counter, 16,
            label: "protocol")
        for (p, n) in stats.decodeErrors.sorted(by: { $0.key < $1.key }) { errors.add(p.rawValue, value: Double(n)) }
        families.append(errors.build())
        families.append(
            single(
                "lanscope_capture_packets", "Frames processed by the userspace pipeline.", .counter,
                Double(stats.frames)))
        families.append(
            single(
                "lanscope_capture_bytes", "Wire bytes of frames processed by the userspace pipeline.", .counter,
                Double(stats.bytes)))
        families.append(
            single(
                "lanscope_observations", "Facts about devices learned from decoded frames.", .counter,
                Double(stats.observations)))

        var dropped = builder(
            "lanscope_capture_dropped", "Frames lost or not delivered before decoding, by reason.", .counter, 8,
            label: "reason")
        for (reason, n) in capture.dropped.sorted(by: { $0.key < $1.key }) { dropped.add(reason, value: Double(n)) }
        families.append(dropped.build())
        families.append(
            single(
                "lanscope_capture_up", "1 when the capture backend is attached and delivering.", .gauge,
                capture.up ? 1 : 0))
        var captureInfo = MetricFamilyBuilder(
            name: "lanscope_capture", help: "Capture backend, mode and interface in use.", type: .info,
            labelNames: ["backend", "mode", "interface"])
        captureInfo.add(capture.backend, capture.mode, capture.interface)
        families.append(captureInfo.build())
        var mapEntries = builder("lanscope_bpf_map_entries", "Entries in a BPF map.", .gauge, 4, label: "map")
        var mapCapacity = builder(
            "lanscope_bpf_map_capacity", "Capacity (max_entries) of a BPF map.", .gauge, 4, label: "map")
        for (name, fill) in capture.maps.sorted(by: { $0.key < $1.key }) {
            mapEntries.add(name, value: Double(fill.entries))
            mapCapacity.add(name, value: Double(fill.capacity))
        }
        families += [mapEntries.build(), mapCapacity.build()]

        var anomalies = MetricFamilyBuilder(
            name: "lanscope_anomalies", help: "Anomaly events raised, by kind and severity.", type: .counter,
            labelNames: ["kind", "severity"])
        for (key, n) in stats.anomalies.sorted(by: { $0.key < $1.key }) {
            anomalies.add(key.kind.rawValue, key.severity.rawValue, value: Double(n))
        }
        families.append(anomalies.build())

        let store = counters.storeCounters()
        families.append(
            single("lanscope_store_writes", "History batches written to SQLite.", .counter, Double(store.writes)))
        families.append(single("lanscope_store_errors", "History writes that failed.", .counter, Double(store.errors)))
        families.append(
            single(
                "lanscope_store_dropped_batches", "History batches dropped because the writer queue was full.",
                .counter,
                Double(store.droppedBatches)))
        var http = MetricFamilyBuilder(
            name: "lanscope_http_requests", help: "HTTP requests served, by route and status code.", type: .counter,
            labelNames: ["route", "code"])
        for (key, n) in counters.httpRequests().sorted(by: { $0.key < $1.key }) {
            http.add(key.route, String(key.code), value: Double(n))
        }
        families.append(http.build())

        var build = MetricFamilyBuilder(
            name: "lanscope_build", help: "lanscope version and toolchain.", type: .info,
            labelNames: ["version", "swift_version"])
        build.add(BuildInfo.version, BuildInfo.swiftVersion)
        families.append(build.build())
        families += processMetrics()
        return families
    }

    /// Every traffic cell in label order (direction, ip_version, protocol), i.e. by `ordinal` …
    static let classCells = TrafficClass.allByOrdinal
    /// … and its labels after `mac`, escaped once.
    static let classTails: [LabelTail] = classCells.map {
        LabelTail([
            ("direction", $0.direction.rawValue), ("ip_version", $0.family.rawValue), ("protocol", $0.l4.rawValue),
        ])
    }

    private func builder(_ name: String, _ help: String, _ type: MetricType, _ capacity: Int, label: String = "mac")
        -> MetricFamilyBuilder
    {
        MetricFamilyBuilder(name: name, help: help, type: type, labelNames: [label], minimumCapacity: capacity)
    }

    private func single(_ name: String, _ help: String, _ type: MetricType, _ value: Double) -> MetricFamily {
        var b = MetricFamilyBuilder(name: name, help: help, type: type, labelNames: [])
        b.add(labelValues: [], value: value)
        return b.build()
    }
}
