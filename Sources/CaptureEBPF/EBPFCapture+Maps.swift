#if canImport(Glibc)
    import Glibc
#endif
internal import CLibBPF
import Logging
internal import LanscopeABI
import LanscopeCore

extension EBPFCapture {
    static let keySize = MemoryLayout<ls_device_key>.size
    /// Per-CPU values are laid out at 8-byte strides (kernel `round_up(value_size, 8)`).
    static let valueStride = (MemoryLayout<ls_device_counters>.size + 7) & ~7
    static let bytesOffset = MemoryLayout<ls_device_counters>.offset(of: \.bytes) ?? 192
    static let lastSeenOffset = MemoryLayout<ls_device_counters>.offset(of: \.last_seen_ns) ?? 384
    static let cellCount = Int(LS_DIR_COUNT.rawValue * LS_FAMILY_COUNT.rawValue * LS_L4_COUNT.rawValue)
    static let lookupBatchSize = 1024

    /// All devices in the kernel map with their counters summed over CPUs, sorted by MAC.
    /// Uses `BPF_MAP_LOOKUP_BATCH` (kernel 5.6+) and falls back to key-by-key iteration.
    public func readDeviceCounters() -> [DeviceCounterSnapshot] {
        readDeviceCounters(batched: true)
    }

    /// `readDeviceCounters` forced to the key-by-key fallback, to compare the two.
    @_spi(Benchmark)
    public func readDeviceCountersKeyByKey() -> [DeviceCounterSnapshot] {
        readDeviceCounters(batched: false)
    }

    func readDeviceCounters(batched: Bool) -> [DeviceCounterSnapshot] {
        let time = KernelTime()
        var snapshots: [DeviceCounterSnapshot] = []
        snapshots.reserveCapacity(mapCapacity)
        let append = { (key: UInt64, values: UnsafeRawBufferPointer) in
            snapshots.append(self.snapshot(key: key, values: values, time: time))
        }
        if batched { forEachDevice(append) } else { forEachDeviceByKey(append) }
        snapshots.sort { $0.mac < $1.mac }
        return snapshots
    }

    /// Number of devices in the kernel map.
    public func mapEntryCount() -> Int {
        var key: UInt64 = 0
        var next: UInt64 = 0
        var count = 0
        var result = bpf_map_get_next_key(devicesFD, nil, &next)
        // Bounded: a concurrent delete makes a hash map restart the walk from its first key.
        while result == 0 && count < mapCapacity {
            count += 1
            key = next
            result = bpf_map_get_next_key(devicesFD, &key, &next)
        }
        return count
    }

    /// Deletes devices whose last frame is older than `idleLongerThan`; returns how many.
    ///
    /// Schedule: the collector calls this about once a minute with the configured device retention
    /// (e.g. one hour), so MACs that came and went (randomised phone MACs) do not fill the map and
    /// push out real devices. A device that returns starts again from zero, which Prometheus reads
    /// as a new series. Frames counted between the read and the delete of an idle device are lost.
    @discardableResult
    public func expireDevices(idleLongerThan idle: Duration) -> Int {
        let time = KernelTime()
        let (seconds, attoseconds) = idle.components
        let idleNanoseconds = seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
        let cutoff = time.monotonicNow &- idleNanoseconds
        var stale: [UInt64] = []
        forEachDevice { key, values in
            if Int64(truncatingIfNeeded: lastSeen(values)) < cutoff { stale.append(key) }
        }
        var removed = 0
        for var key in stale where bpf_map_delete_elem(devicesFD, &key) == 0 {
            removed += 1
        }
        return removed
    }

    /// Kernel drop counters, summed over CPUs, for every reason (zero included).
    public func readDropCounters() -> [DropReason: UInt64] {
        var result: [DropReason: UInt64] = [:]
        var values = [UInt64](repeating: 0, count: possibleCPUs)
        for reason in DropReason.allCases {
            var key = reason.index
            let status = values.withUnsafeMutableBytes { bpf_map_lookup_elem(dropsFD, &key, $0.baseAddress) }
            result[reason] = status == 0 ? values.reduce(0, &+) : 0
        }
        return result
    }

    /// Calls `body` with each key (the 8 key bytes as a `UInt64` in memory order) and its per-CPU values.
    func forEachDevice(_ body: (UInt64, UnsafeRawBufferPointer) -> Void) {
        let perEntry = Self.valueStride * possibleCPUs
        let batch = min(Self.lookupBatchSize, max(1, mapCapacity))
        var keys = [UInt64](repeating: 0, count: batch)
        var values = [UInt8](repeating: 0, count: batch * perEntry)
        var inToken: UInt64 = 0
        var outToken: UInt64 = 0
        var first = true
        var seen = 0
        while seen <= mapCapacity {
            var count = UInt32(batch)
            let result = keys.withUnsafeMutableBytes { keyBuffer in
                values.withUnsafeMutableBytes { valueBuffer in
                    withUnsafeMutablePointer(to: &inToken) { inPointer in
                        ls_map_lookup_batch(
                            devicesFD, first ? nil : inPointer, &outToken, keyBuffer.baseAddress,
                            valueBuffer.baseAddress, &count)
                    }
                }
            }
            if result != 0 && result != -ENOENT {
                if first {
                    logger.debug("map lookup batch unavailable, iterating keys", metadata: ["errno": "\(-result)"])
                    forEachDeviceByKey(body)
                } else {
                    logger.warning("map lookup batch failed", metadata: ["error": "\(EBPFError.libbpf("bpf_map_lookup_batch", result))"])
                }
                return
            }
            values.withUnsafeBytes { buffer in
                for index in 0..<min(Int(count), batch) {
                    body(keys[index], UnsafeRawBufferPointer(rebasing: buffer[(index * perEntry)..<((index + 1) * perEntry)]))
                }
            }
            seen += Int(count)
            if result == -ENOENT { return }
            inToken = outToken
            first = false
        }
    }

    func forEachDeviceByKey(_ body: (UInt64, UnsafeRawBufferPointer) -> Void) {
        var values = [UInt8](repeating: 0, count: Self.valueStride * possibleCPUs)
        var key: UInt64 = 0
        var next: UInt64 = 0
        var started = false
        var visited = 0
        while visited <= mapCapacity {
            let result = started
                ? bpf_map_get_next_key(devicesFD, &key, &next) : bpf_map_get_next_key(devicesFD, nil, &next)
            if result != 0 { return }
            started = true
            key = next
            visited += 1
            let found = values.withUnsafeMutableBytes { bpf_map_lookup_elem(devicesFD, &key, $0.baseAddress) }
            if found == 0 { values.withUnsafeBytes { body(key, $0) } }
        }
    }

    func lastSeen(_ values: UnsafeRawBufferPointer) -> UInt64 {
        var latest: UInt64 = 0
        let stride = Self.valueStride
        let offset = Self.lastSeenOffset
        for cpu in 0..<possibleCPUs {
            latest = max(latest, values.loadUnaligned(fromByteOffset: cpu * stride + offset, as: UInt64.self))
        }
        return latest
    }

    func snapshot(key: UInt64, values: UnsafeRawBufferPointer, time: KernelTime) -> DeviceCounterSnapshot {
        // Static lets are lazily initialised globals; read them once, not in the loops.
        let cells = Self.cellCount
        let cpus = possibleCPUs
        let stride = Self.valueStride
        let bytesOffset = Self.bytesOffset
        let classes = Self.cellClasses
        let counters = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * cells) { sums in
            // Sum CPUs first, so the dictionary is sized once for the cells actually in use.
            var used = 0
            for cell in 0..<cells {
                var packets: UInt64 = 0
                var bytes: UInt64 = 0
                for cpu in 0..<cpus {
                    let base = cpu * stride + cell * 8
                    packets &+= values.loadUnaligned(fromByteOffset: base, as: UInt64.self)
                    bytes &+= values.loadUnaligned(fromByteOffset: base + bytesOffset, as: UInt64.self)
                }
                sums[2 * cell] = packets
                sums[2 * cell + 1] = bytes
                if packets != 0 || bytes != 0 { used += 1 }
            }
            var counters = TrafficCounters()
            counters.byClass.reserveCapacity(used)
            for cell in 0..<cells {
                let packets = sums[2 * cell]
                let bytes = sums[2 * cell + 1]
                if packets == 0 && bytes == 0 { continue }
                let trafficClass = classes[cell]
                counters.byClass[trafficClass] = PacketByteCount(packets: packets, bytes: bytes)
                if trafficClass.direction == .transmitted {
                    counters.transmittedPackets &+= packets
                    counters.transmittedBytes &+= bytes
                } else {
                    counters.receivedPackets &+= packets
                    counters.receivedBytes &+= bytes
                }
            }
            return counters
        }
        return DeviceCounterSnapshot(mac: Self.macAddress(key: key), counters: counters, lastSeen: time.wallClock(kernelNanoseconds: lastSeen(values)))
    }

    /// The MAC in a device key: its first six bytes in memory order, first octet on the wire first.
    static func macAddress(key: UInt64) -> MACAddress {
        withUnsafeBytes(of: key) { MACAddress($0[0], $0[1], $0[2], $0[3], $0[4], $0[5]) }
    }

    /// `trafficClass(cell:)` for every cell, computed once.
    static let cellClasses: [TrafficClass] = (0..<cellCount).map { trafficClass(cell: $0) }

    /// Walks the device map without converting anything: the kernel-copy part of `readDeviceCounters`.
    @_spi(Benchmark)
    public func walkDeviceMapForBenchmark() -> Int {
        var visited = 0
        forEachDevice { _, _ in visited += 1 }
        return visited
    }

    /// Inverse of `LS_CELL(direction, family, l4)`.
    static func trafficClass(cell: Int) -> TrafficClass {
        let l4Count = Int(LS_L4_COUNT.rawValue)
        let familyCount = Int(LS_FAMILY_COUNT.rawValue)
        let direction: TrafficDirection = cell / (l4Count * familyCount) == Int(LS_DIR_TRANSMITTED.rawValue) ? .transmitted : .received
        let family: IPFamily
        switch UInt32(cell / l4Count % familyCount) {
        case LS_FAMILY_IPV4.rawValue: family = .ipv4
        case LS_FAMILY_IPV6.rawValue: family = .ipv6
        default: family = .other
        }
        let l4: L4Protocol
        switch UInt32(cell % l4Count) {
        case LS_L4_TCP.rawValue: l4 = .tcp
        case LS_L4_UDP.rawValue: l4 = .udp
        case LS_L4_ICMP.rawValue: l4 = .icmp
        default: l4 = .other
        }
        return TrafficClass(direction: direction, family: family, l4: l4)
    }

    /// Index of `trafficClass` in the kernel's counter arrays (`LS_CELL`).
    static func cell(of trafficClass: TrafficClass) -> Int {
        let direction = trafficClass.direction == .transmitted ? LS_DIR_TRANSMITTED.rawValue : LS_DIR_RECEIVED.rawValue
        let family: UInt32
        switch trafficClass.family {
        case .ipv4: family = LS_FAMILY_IPV4.rawValue
        case .ipv6: family = LS_FAMILY_IPV6.rawValue
        case .other: family = LS_FAMILY_OTHER.rawValue
        }
        let l4: UInt32
        switch trafficClass.l4 {
        case .tcp: l4 = LS_L4_TCP.rawValue
        case .udp: l4 = LS_L4_UDP.rawValue
        case .icmp: l4 = LS_L4_ICMP.rawValue
        case .other: l4 = LS_L4_OTHER.rawValue
        }
        return Int((direction * LS_FAMILY_COUNT.rawValue + family) * LS_L4_COUNT.rawValue + l4)
    }
}
