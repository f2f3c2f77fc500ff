import Exposition
import Inventory
import LanscopeCore

/// Per-device families (identity, counters, presence, optional breakdown), the LAN-wide traffic split,
/// and the inventory's presence and type gauges.
struct DeviceCollector: ScrapeCollector {
    let name = "devices"
    let configuration: MetricsCollector.Configuration
    let registry: DeviceRegistry

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        let now = scrape.now
        let view = scrape.view
        let (devices, selected, backend) = (view.devices, view.selected, view.backend)
        var families: [MetricFamily] = []
        families.reserveCapacity(16)

        // Per-device families: written line by line in MAC order (the snapshot's order) — the bulk of
        // every scrape, so no per-series storage or sort (see SampleLineWriter).
        let n = selected.count
        var info = SampleLineWriter(
            name: "lanscope_device", type: .info,
            labelNames: [
                "mac", "ip", "ipv6", "hostname", "vendor", "locally_administered", "dhcp_vendor_class", "type", "os",
                "model",
            ],
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
        let cutoff = now - configuration.presenceWindow
        var lanWide = [PacketByteCount](repeating: PacketByteCount(), count: DeviceCollector.classCells.count)
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
                                cells = UnsafeBufferPointer(
                                    rebasing: kernelCells[(k * cellCount)..<((k + 1) * cellCount)])
                                seenAt = max(seenAt, kernelSeen[k])
                            } else {
                                cells = noCells
                            }
                            for ordinal in 0..<cellCount {
                                if ordinal < cellCount / 2 {
                                    received.add(cells[ordinal])
                                } else {
                                    transmitted.add(cells[ordinal])
                                }
                            }
                        } else {
                            let traffic = devices[i].traffic
                            transmitted = PacketByteCount(
                                packets: traffic.transmittedPackets, bytes: traffic.transmittedBytes)
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
                        let classification = devices[i].classification
                        info.add(mac, value: 1) { labels in
                            labels.append { v4?.appendText(to: &$0) }
                            labels.append { v6?.appendText(to: &$0) }
                            labels.append(devices[i].hostname)
                            labels.append(devices[i].vendor)
                            labels.append(devices[i].isLocallyAdministered ? "true" : "false")
                            labels.append(devices[i].dhcp?.vendorClass)
                            labels.append(classification?.type.value.rawValue ?? DeviceType.unknown.rawValue)
                            labels.append(classification?.os?.value)
                            labels.append(classification?.model?.value)
                        }
                        txPackets.add(mac, value: Double(transmitted.packets))
                        txBytes.add(mac, value: Double(transmitted.bytes))
                        rxPackets.add(mac, value: Double(received.packets))
                        rxBytes.add(mac, value: Double(received.bytes))
                        // Millisecond precision, written as an exact decimal.
                        lastSeen.add(mac, decimal: seenAt.nanoseconds / 1_000_000, fractionDigits: 3)
                        firstSeen.add(mac, decimal: devices[i].firstSeen.nanoseconds / 1_000_000, fractionDigits: 3)
                        let isUp = seenAt >= cutoff
                        up.add(mac, value: isUp ? 1 : 0)
                        // Cells by ordinal are in the label order of the class family (mac, direction,
                        // ip_version, protocol), so the breakdown's series come out sorted.
                        for ordinal in 0..<cellCount where cells[ordinal].packets > 0 {
                            lanWide[ordinal].add(cells[ordinal])
                            if breakdown {
                                let tail = DeviceCollector.classTails[ordinal]
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
        for (position, cell) in DeviceCollector.classCells.enumerated() where lanWide[position].packets > 0 {
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

        // Presence and types count the whole inventory, exported or not.
        var online = 0
        var types: [DeviceType: Int] = [:]
        for i in devices.indices {
            if view.lastSeen(i) >= cutoff { online += 1 }
            types[devices[i].classification?.type.value ?? .unknown, default: 0] += 1
        }
        var deviceCount = labelledFamily(
            "lanscope_devices", "Devices in the inventory by presence (exported or not).", .gauge, 2, label: "state")
        deviceCount.add("online", value: Double(online))
        deviceCount.add("offline", value: Double(devices.count - online))
        families.append(deviceCount.build())
        var byType = labelledFamily(
            "lanscope_devices_by_type", "Devices in the inventory by classified type (every type, 0 when none).",
            .gauge, DeviceType.allCases.count, label: "type")
        for type in DeviceType.allCases.sorted() { byType.add(type.rawValue, value: Double(types[type] ?? 0)) }
        families.append(byType.build())
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
}
