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
        let cellCount = DeviceTrafficTable.cellsPerDevice
        let kernelCells = backend?.cells ?? []
        let kernelSeen = backend?.lastSeen ?? []
        // The registry's breakdown of each exported device spread into cells by `TrafficClass.ordinal`, in
        // MAC order, kept from the first pass for the second only when the per-device breakdown is exported.
        let keepCells = breakdown && backend == nil
        var registryCells = [PacketByteCount](repeating: PacketByteCount(), count: keepCells ? n * cellCount : 0)
        // Each exported device's position in MAC order: the first pass stores what the second needs at
        // that position, so the second reads `rows` front to back.
        var rank = [Int](repeating: -1, count: devices.count)
        for (position, i) in selected.enumerated() { rank[i] = position }
        var rows = [Row](repeating: Row(), count: n)
        // The identity line needs a dozen fields of each device, several behind a pointer (addresses,
        // strings, the classification), so it is written in a first pass in storage order, where those
        // reads follow memory (in a MAC-order walk over 10,000 devices nearly every read missed the
        // cache), into `staging`; the second pass, in MAC order, copies each line and writes the other
        // families from the compact `rows`.
        var staging = SampleLineWriter(
            name: info.name, type: .info, labelNames: info.labelNames, reserveBytes: n * 200)
        var online = 0
        // Devices per type, by position in `allTypes` (a linear search: most devices are `unknown`,
        // found first, and a dictionary hashed every device).
        let allTypes = DeviceCollector.typesInOrder
        var typeCounts = [Int](repeating: 0, count: allTypes.count)
        // One device's MAC at a time, formatted into the same storage.
        var mac = LabelValue(capacity: 17) { _ in }
        // Fields are read in place through the buffer: binding a `Device` (or its classification) would
        // retain and release a dozen buffers per device on every scrape.
        devices.withUnsafeBufferPointer { devices in
            // Each device's lowest IPv4 and IPv6 address, in a loop of its own: the address table behind
            // each device is a separate allocation whose first read misses the cache, and with little
            // else to do per device, those reads overlap.
            var lowest = [(IPAddress?, IPAddress?)](repeating: (nil, nil), count: devices.count)
            for i in devices.indices where rank[i] >= 0 {
                var v4: IPAddress? = nil
                var v6: IPAddress? = nil
                for ip in devices[i].addresses.keys {
                    if ip.version == 4 {
                        if v4.map({ ip < $0 }) ?? true { v4 = ip }
                    } else if v6.map({ ip < $0 }) ?? true {
                        v6 = ip
                    }
                }
                lowest[i] = (v4, v6)
            }
            registryCells.withUnsafeMutableBufferPointer { registryCells in
                for i in devices.indices {
                    // Presence and types count the whole inventory, exported or not.
                    if view.lastSeen(i) >= cutoff { online += 1 }
                    let type = devices[i].classification?.type.value ?? .unknown
                    if let k = allTypes.firstIndex(of: type) { typeCounts[k] += 1 }
                    let position = rank[i]
                    guard position >= 0 else { continue }
                    var row = Row(
                        index: i, mac: devices[i].mac, lastSeen: devices[i].lastSeen,
                        firstSeen: devices[i].firstSeen)
                    if backend == nil {
                        let traffic = devices[i].traffic
                        row.transmitted = PacketByteCount(
                            packets: traffic.transmittedPackets, bytes: traffic.transmittedBytes)
                        row.received = PacketByteCount(packets: traffic.receivedPackets, bytes: traffic.receivedBytes)
                        for (cls, count) in traffic.byClass where count.packets > 0 {
                            lanWide[cls.ordinal].add(count)
                            if keepCells { registryCells[position * cellCount + cls.ordinal] = count }
                        }
                    }
                    let (v4, v6) = lowest[i]
                    // Label values straight into the family's bytes: addresses formatted in place, no
                    // String or array per device.
                    let start = staging.byteCount
                    mac.replace { devices[i].mac.appendText(to: &$0) }
                    staging.add(mac, value: 1) { labels in
                        labels.append { v4?.appendText(to: &$0) }
                        labels.append { v6?.appendText(to: &$0) }
                        labels.append(devices[i].hostname)
                        labels.append(devices[i].vendor)
                        labels.append(devices[i].isLocallyAdministered ? "true" : "false")
                        labels.append(devices[i].dhcp?.vendorClass)
                        labels.append(devices[i].classification?.type.value.rawValue ?? DeviceType.unknown.rawValue)
                        labels.append(devices[i].classification?.os?.value)
                        labels.append(devices[i].classification?.model?.value)
                    }
                    row.infoLine = start..<staging.byteCount
                    rows[position] = row
                }
            }
        }
        // The identity lines in MAC order, in a loop of their own: each copy's source is known up front,
        // so the reads of consecutive lines overlap.
        for row in rows where !row.infoLine.isEmpty { info.appendSample(from: staging, bytes: row.infoLine) }
        info.countDropped(of: staging)

        // The other per-device families in MAC order (the snapshot's order), from the compact rows.
        registryCells.withUnsafeBufferPointer { registryCells in
            kernelCells.withUnsafeBufferPointer { kernelCells in
                for position in rows.indices {
                    let row = rows[position]
                    var seenAt = row.lastSeen
                    var transmitted = row.transmitted
                    var received = row.received
                    var cells: UnsafeBufferPointer<PacketByteCount>? = nil
                    if backend != nil {
                        // With the eBPF backend, counters and last-seen come from the kernel table, whose
                        // rows are in MAC order too.
                        if let k = view.backendRow(row.index) {
                            let own = UnsafeBufferPointer(
                                rebasing: kernelCells[(k * cellCount)..<((k + 1) * cellCount)])
                            seenAt = max(seenAt, kernelSeen[k])
                            for ordinal in 0..<cellCount {
                                if ordinal < cellCount / 2 {
                                    received.add(own[ordinal])
                                } else {
                                    transmitted.add(own[ordinal])
                                }
                                if own[ordinal].packets > 0 { lanWide[ordinal].add(own[ordinal]) }
                            }
                            cells = own
                        }
                    } else if keepCells {
                        cells = UnsafeBufferPointer(
                            rebasing: registryCells[(position * cellCount)..<((position + 1) * cellCount)])
                    }
                    mac.replace { row.mac.appendText(to: &$0) }
                    txPackets.add(mac, value: Double(transmitted.packets))
                    txBytes.add(mac, value: Double(transmitted.bytes))
                    rxPackets.add(mac, value: Double(received.packets))
                    rxBytes.add(mac, value: Double(received.bytes))
                    // Millisecond precision, written as an exact decimal.
                    lastSeen.add(mac, decimal: seenAt.nanoseconds / 1_000_000, fractionDigits: 3)
                    firstSeen.add(mac, decimal: row.firstSeen.nanoseconds / 1_000_000, fractionDigits: 3)
                    up.add(mac, value: seenAt >= cutoff ? 1 : 0)
                    // Cells by ordinal are in the label order of the class family (mac, direction,
                    // ip_version, protocol), so the breakdown's series come out sorted.
                    if breakdown, let cells {
                        for ordinal in 0..<cellCount where cells[ordinal].packets > 0 {
                            let tail = DeviceCollector.classTails[ordinal]
                            classPackets.add(mac, tail, value: Double(cells[ordinal].packets))
                            classBytes.add(mac, tail, value: Double(cells[ordinal].bytes))
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

        var deviceCount = labelledFamily(
            "lanscope_devices", "Devices in the inventory by presence (exported or not).", .gauge, 2, label: "state")
        deviceCount.add("online", value: Double(online))
        deviceCount.add("offline", value: Double(devices.count - online))
        families.append(deviceCount.build())
        var byType = labelledFamily(
            "lanscope_devices_by_type", "Devices in the inventory by classified type (every type, 0 when none).",
            .gauge, DeviceType.allCases.count, label: "type")
        for type in DeviceType.allCases.sorted() {
            byType.add(type.rawValue, value: Double(allTypes.firstIndex(of: type).map { typeCounts[$0] } ?? 0))
        }
        families.append(byType.build())
        return families
    }

    /// What the second pass needs of one exported device, gathered in the first: plain values, stored
    /// in MAC order.
    struct Row {
        /// The device's index in the snapshot's storage.
        var index = 0
        var mac = MACAddress(rawValue: 0)
        var lastSeen = Timestamp.zero
        var firstSeen = Timestamp.zero
        /// The registry's totals (zero with the eBPF backend, whose table the second pass reads).
        var transmitted = PacketByteCount()
        var received = PacketByteCount()
        /// The device's `lanscope_device_info` line in the staging writer (empty when it was refused).
        var infoLine: Range<Int> = 0..<0
    }

    /// Every device type, `unknown` (the most common) first.
    static let typesInOrder: [DeviceType] = [.unknown] + DeviceType.allCases.sorted().filter { $0 != .unknown }

    /// Every traffic cell in label order (direction, ip_version, protocol), i.e. by `ordinal` …
    static let classCells = TrafficClass.allByOrdinal
    /// … and its labels after `mac`, escaped once.
    static let classTails: [LabelTail] = classCells.map {
        LabelTail([
            ("direction", $0.direction.rawValue), ("ip_version", $0.family.rawValue), ("protocol", $0.l4.rawValue),
        ])
    }
}
