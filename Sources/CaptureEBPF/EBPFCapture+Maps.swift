internal import CLibBPF
internal import LanscopeABI
import LanscopeCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension EBPFCapture {
    static let keySize = MemoryLayout<ls_device_key>.size
    /// Array elements are laid out at 8-byte strides (kernel `round_up(value_size, 8)`).
    static let valueStride = (MemoryLayout<ls_device_slot>.size + 7) & ~7
    /// Offsets inside one `ls_device_slot`.
    static let countersOffset = MemoryLayout<ls_device_slot>.offset(of: \.counters) ?? 8
    static let bytesOffset = countersOffset + (MemoryLayout<ls_device_counters>.offset(of: \.bytes) ?? 192)
    static let lastSeenOffset = countersOffset + (MemoryLayout<ls_device_counters>.offset(of: \.last_seen_ns) ?? 384)
    static let cellCount = Int(LS_DIR_COUNT.rawValue * LS_FAMILY_COUNT.rawValue * LS_L4_COUNT.rawValue)
    static let lookupBatchSize = 1024

    /// Slots per CPU in the kernel's device table.
    var slotCount: Int { Self.slotCount(forDevices: configuration.maxDevices) }
    /// Elements of the device-table array: one stripe of `slotCount` per possible CPU.
    var tableElements: Int { slotCount * possibleCPUs }

    /// All devices in the kernel table with their counters summed over slots and CPUs, in flat
    /// storage with a MAC index: what a scrape reads. Reads the mmapped table in place; without a
    /// mapping, copies it with `BPF_MAP_LOOKUP_BATCH` (kernel 5.6+) or element by element.
    public func readDeviceTable() -> DeviceTrafficTable {
        readDeviceTable(source: .automatic)
    }

    /// `readDeviceTable` as one value per device (tests, tools; a scrape uses the table).
    public func readDeviceCounters() -> [DeviceCounterSnapshot] {
        Self.snapshots(readDeviceTable(source: .automatic))
    }

    /// `readDeviceTable` through a copy made with batched lookups, as without a mapping, to compare the two.
    @_spi(Benchmark)
    public func readDeviceTableCopied() -> DeviceTrafficTable {
        readDeviceTable(source: .copied)
    }

    static func snapshots(_ table: DeviceTrafficTable) -> [DeviceCounterSnapshot] {
        (0..<table.count).map {
            DeviceCounterSnapshot(mac: table.macs[$0], counters: table.counters(at: $0), lastSeen: table.lastSeen[$0])
        }
    }

    /// Where a read gets the table's bytes.
    enum TableSource {
        /// The mapping when there is one, else a batched copy.
        case automatic
        /// A batched copy even when mapped (benchmarks).
        case copied
    }

    func readDeviceTable(source: TableSource) -> DeviceTrafficTable {
        let time = KernelTime()
        let sums = aggregate(source: source)
        lastEntryCount.withLock { $0 = sums.keys.count }
        return DeviceTrafficTable(
            macs: sums.keys.map(Self.macAddress(key:)),
            lastSeen: sums.lastSeen.map { time.wallClock(kernelNanoseconds: $0) }, cells: sums.cells)
    }

    /// Distinct devices in the kernel table now (reads the whole table; a scrape that just called
    /// `readDeviceTable` can use `lastReadEntryCount` instead).
    public func mapEntryCount() -> Int { aggregate(source: .automatic).keys.count }

    /// Distinct devices seen by the latest `readDeviceTable`, if any.
    public var lastReadEntryCount: Int? { lastEntryCount.withLock { $0 } }

    /// Per-device sums in flat storage, one row per device in the order the walk met them: row `r`
    /// (key `keys[r]`) owns `cells[r * 24 ..< (r + 1) * 24]` by `TrafficClass.ordinal`, and
    /// `lastSeen[r]` (kernel time). Flat so a 10,000-device read allocates a few arrays, not one per
    /// device, and in `DeviceTrafficTable`'s layout so the table takes the cells without a copy.
    struct DeviceTable {
        var keys: [UInt64] = []
        var lastSeen: [UInt64] = []
        var cells: [PacketByteCount] = []
        var index: [UInt64: Int] = [:]
    }

    /// Walks every slot of every CPU's stripe and sums by device key.
    func aggregate(source: TableSource) -> DeviceTable {
        withDeviceTable(source: source) { aggregate(memory: $0) }
    }

    /// `aggregate` over the table's bytes (`tableElements` slots, CPU-major).
    func aggregate(memory: UnsafeRawBufferPointer) -> DeviceTable {
        let width = DeviceTrafficTable.cellsPerDevice
        var table = DeviceTable()
        // Sized for the devices the previous read found, so the arrays do not regrow on every scrape.
        let expected = min(configuration.maxDevices, (lastEntryCount.withLock { $0 } ?? 0) + 256)
        table.keys.reserveCapacity(expected)
        table.lastSeen.reserveCapacity(expected)
        table.cells.reserveCapacity(expected * width)
        table.index.reserveCapacity(expected)
        let cpus = possibleCPUs
        let slots = slotCount
        let stride = Self.valueStride
        let countersOffset = Self.countersOffset
        let bytesOffset = Self.bytesOffset
        let lastSeenOffset = Self.lastSeenOffset
        let kernelCells = Self.cellCount
        Self.cellOrdinals.withUnsafeBufferPointer { ordinals in
            for slot in 0..<slots {
                // A device busy on several CPUs usually sits in the same slot in each stripe: reuse the lookup.
                var previousKey: UInt64 = 0
                var previousRow = 0
                for cpu in 0..<cpus {
                    let base = (cpu * slots + slot) * stride
                    let key = memory.loadUnaligned(fromByteOffset: base, as: UInt64.self)
                    if key == 0 { continue }
                    let row: Int
                    if key == previousKey {
                        row = previousRow
                    } else if let existing = table.index[key] {
                        row = existing
                    } else {
                        row = table.keys.count
                        table.index[key] = row
                        table.keys.append(key)
                        table.lastSeen.append(0)
                        table.cells.append(contentsOf: repeatElement(PacketByteCount(), count: width))
                    }
                    previousKey = key
                    previousRow = row
                    table.lastSeen[row] = max(
                        table.lastSeen[row],
                        memory.loadUnaligned(fromByteOffset: base + lastSeenOffset, as: UInt64.self))
                    table.cells.withUnsafeMutableBufferPointer { cells in
                        let start = row * width
                        for cell in 0..<kernelCells {
                            let target = start + ordinals[cell]
                            cells[target].packets &+= memory.loadUnaligned(
                                fromByteOffset: base + countersOffset + cell * 8, as: UInt64.self)
                            cells[target].bytes &+= memory.loadUnaligned(
                                fromByteOffset: base + bytesOffset + cell * 8, as: UInt64.self)
                        }
                    }
                }
            }
        }
        return table
    }

    /// Calls `body` with the whole device table (`tableElements` slots, CPU-major): the mapping itself
    /// when there is one, else a copy read with batched lookups (element by element where the kernel
    /// lacks them).
    func withDeviceTable<R>(source: TableSource, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if source == .automatic, let mapped = deviceMemory {
            return body(UnsafeRawBufferPointer(mapped))
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: tableElements * Self.valueStride, alignment: 8)
        defer { copy.deallocate() }
        copy.initializeMemory(as: UInt8.self, repeating: 0)
        copyDeviceTable(into: copy)
        return body(UnsafeRawBufferPointer(copy))
    }

    /// Copies the device table into `buffer` (`tableElements` × `valueStride` bytes) with batched
    /// lookups, or element by element when the kernel has no batch operations for arrays.
    func copyDeviceTable(into buffer: UnsafeMutableRawBufferPointer) {
        let elements = tableElements
        let stride = Self.valueStride
        var keys = [UInt32](repeating: 0, count: Self.lookupBatchSize)
        var inToken: UInt32 = 0
        var outToken: UInt32 = 0
        var filled = 0
        var first = true
        while filled < elements {
            var count = UInt32(min(Self.lookupBatchSize, elements - filled))
            let result = keys.withUnsafeMutableBytes { keyBuffer in
                withUnsafeMutablePointer(to: &inToken) { inPointer in
                    ls_map_lookup_batch(
                        devicesFD, first ? nil : inPointer, &outToken, keyBuffer.baseAddress,
                        buffer.baseAddress! + filled * stride, &count)
                }
            }
            if result != 0 && result != -ENOENT {
                logger.debug(
                    "map lookup batch unavailable, reading elements one by one", metadata: ["errno": "\(-result)"])
                for element in filled..<elements {
                    var index = UInt32(element)
                    _ = bpf_map_lookup_elem(devicesFD, &index, buffer.baseAddress! + element * stride)
                }
                return
            }
            filled += Int(count)
            if result == -ENOENT || count == 0 { return }
            inToken = outToken
            first = false
        }
    }

    /// Removes devices whose last frame is older than `idleLongerThan`; returns how many.
    ///
    /// Schedule: the service calls this from its maintenance loop with the configured device time to
    /// live, so MACs that came and went (randomised phone MACs) do not fill the table and push out real
    /// devices. A device that returns starts again from zero, which Prometheus reads as a new series.
    /// Each CPU's copy of an expired device is cleared in place, key first, so its program starts a
    /// fresh slot rather than add to a half-cleared one. Frames counted between the read and the clear
    /// of an idle device are lost.
    @discardableResult
    public func expireDevices(idleLongerThan idle: Duration) -> Int {
        let time = KernelTime()
        let (seconds, attoseconds) = idle.components
        let idleNanoseconds = seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
        let cutoff = time.monotonicNow &- idleNanoseconds
        let stride = Self.valueStride
        // One pass of reading (one copy without the mapping): which devices are stale, and where.
        let (stale, clearable) = withDeviceTable(source: .automatic) { memory -> (Set<UInt64>, [Int]) in
            let table = aggregate(memory: memory)
            let stale = Set(
                table.keys.indices.filter { Int64(truncatingIfNeeded: table.lastSeen[$0]) < cutoff }.map {
                    table.keys[$0]
                })
            guard !stale.isEmpty else { return (stale, []) }
            var clearable: [Int] = []
            for element in 0..<tableElements {
                let key = memory.loadUnaligned(fromByteOffset: element * stride, as: UInt64.self)
                if key != 0 && stale.contains(key) { clearable.append(element) }
            }
            return (stale, clearable)
        }
        guard !stale.isEmpty else { return 0 }
        if let mapped = deviceMemory {
            for element in clearable {
                let slot = mapped.baseAddress! + element * stride
                slot.storeBytes(of: 0, as: UInt64.self)
                (slot + Self.countersOffset).initializeMemory(
                    as: UInt8.self, repeating: 0, count: stride - Self.countersOffset)
            }
        } else {
            var zero = [UInt8](repeating: 0, count: stride)
            for element in clearable {
                var index = UInt32(element)
                _ = zero.withUnsafeMutableBytes { bpf_map_update_elem(devicesFD, &index, $0.baseAddress, 0) }
            }
        }
        return stale.count
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

    /// The MAC in a device key: its first six bytes in memory order, first octet on the wire first.
    static func macAddress(key: UInt64) -> MACAddress {
        withUnsafeBytes(of: key) { MACAddress($0[0], $0[1], $0[2], $0[3], $0[4], $0[5]) }
    }

    /// `TrafficClass.ordinal` of every kernel cell, computed once.
    static let cellOrdinals: [Int] = (0..<cellCount).map { trafficClass(cell: $0).ordinal }

    /// Copies the whole device table with batched lookups and nothing else: what a read costs
    /// without the mapping. Returns the elements copied.
    @_spi(Benchmark)
    public func copyDeviceTableForBenchmark() -> Int {
        withDeviceTable(source: .copied) { $0.count / Self.valueStride }
    }

    /// Inverse of `LS_CELL(direction, family, l4)`.
    static func trafficClass(cell: Int) -> TrafficClass {
        let l4Count = Int(LS_L4_COUNT.rawValue)
        let familyCount = Int(LS_FAMILY_COUNT.rawValue)
        let direction: TrafficDirection =
            cell / (l4Count * familyCount) == Int(LS_DIR_TRANSMITTED.rawValue) ? .transmitted : .received
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
