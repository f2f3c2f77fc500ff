internal import CLibBPF
internal import LanscopeABI
import LanscopeCore
public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The loaded kernel side for one LAN interface: XDP on ingress, TC clsact on egress.
///
/// Lifecycle: `load` (the verifier runs) → `attach` → `poll` / `readDeviceCounters` / `readDropCounters`
/// from any thread → `detach`. Dropping the object without `detach` leaves the programs attached
/// (that is how a crash looks); the next `attach` on the interface finds them by name and replaces
/// them. `poll` must be called from one thread at a time; the other methods are thread-safe.
public final class EBPFCapture: @unchecked Sendable {
    public enum XDPMode: String, Sendable {
        /// Native (driver) mode, falling back to generic when the driver refuses.
        case auto
        /// Driver mode only.
        case native
        /// Generic (skb) mode: works on any interface, costs more per frame.
        case generic
    }

    public struct Configuration: Sendable {
        /// LAN interface to attach to (no default).
        public var interface: String
        /// What the kernel side counts; see `CaptureMode`. Default `.gateway`.
        public var mode: CaptureMode
        /// Capacity of the device map (and of each token-bucket map), in devices. Default 16384.
        /// Kernel memory: maxDevices × 1.5 slots × possible CPUs × 400 bytes, allocated at load (and
        /// mapped into the process, so it also counts as shared memory there).
        public var maxDevices: Int
        /// Bytes of each discovery frame handed up, 64...4096. Default 1600 (a full-size DHCP
        /// packet with all its options on a 1500-byte MTU LAN).
        public var snapLength: Int
        /// TCP SYNs handed up per second and source device; 0 hands up none. Default 50/s.
        public var synRatePerSecond: UInt32
        /// SYNs a device may send in a burst before the rate applies. Default 100.
        public var synBurst: UInt32
        /// DNS queries (UDP to port 53) handed up per second and source device; 0 hands up none.
        /// Default 50/s.
        public var dnsRatePerSecond: UInt32
        /// DNS queries a device may send in a burst before the rate applies. Default 100.
        public var dnsBurst: UInt32
        /// TCP segments opening a TLS ClientHello or an HTTP/1.x request handed up per second and
        /// source device; 0 hands up none. Default 50/s.
        public var payloadRatePerSecond: UInt32
        /// Such segments a device may send in a burst before the rate applies. Default 100.
        public var payloadBurst: UInt32
        /// XDP attach mode. Default `.auto`.
        public var xdpMode: XDPMode
        /// Perf buffer size per CPU in bytes, rounded up to a power-of-two number of pages.
        /// Default 1048576 (1 MiB: ~650 full-length discovery frames, ~3,000 typical ones, per CPU).
        /// A new-device storm — 10,000 devices announcing themselves within a second, ~50,000
        /// frames to hand up — lost ~1 % to `buffer_full` with 256 KiB and none with 1 MiB.
        public var ringBufferBytes: Int

        public init(
            interface: String, mode: CaptureMode = .gateway, maxDevices: Int = 16384,
            snapLength: Int = 1600, synRatePerSecond: UInt32 = 50, synBurst: UInt32 = 100,
            dnsRatePerSecond: UInt32 = 50, dnsBurst: UInt32 = 100, payloadRatePerSecond: UInt32 = 50,
            payloadBurst: UInt32 = 100, xdpMode: XDPMode = .auto, ringBufferBytes: Int = 1 << 20
        ) {
            self.interface = interface
            self.mode = mode
            self.maxDevices = maxDevices
            self.snapLength = snapLength
            self.synRatePerSecond = synRatePerSecond
            self.synBurst = synBurst
            self.dnsRatePerSecond = dnsRatePerSecond
            self.dnsBurst = dnsBurst
            self.payloadRatePerSecond = payloadRatePerSecond
            self.payloadBurst = payloadBurst
            self.xdpMode = xdpMode
            self.ringBufferBytes = ringBufferBytes
        }
    }

    /// Names of the maps the BPF object must define, from the ABI header.
    public static let mapNames: [String] = [
        LS_MAP_DEVICES, LS_MAP_EVENTS, LS_MAP_DROPS, LS_MAP_SYN_TOKENS, LS_MAP_DNS_TOKENS, LS_MAP_PAYLOAD_TOKENS,
        LS_MAP_CLOCK,
    ]
    /// Names of the programs the BPF object must define, from the ABI header.
    public static let programNames: [String] = [LS_PROG_XDP, LS_PROG_TC, LS_PROG_XDP_PASS]

    public let configuration: Configuration
    let logger: Logger
    let object: OpaquePointer
    let devicesFD: Int32
    let dropsFD: Int32
    let synTokensFD: Int32
    let xdpFD: Int32
    let tcFD: Int32
    let xdpPassFD: Int32
    let possibleCPUs: Int
    /// The device table mapped into this process (read in place at scrape time), or nil when the
    /// kernel refused the mapping and reads copy it instead.
    let deviceMemory: UnsafeMutableRawBufferPointer?
    /// Distinct devices seen by the latest full read of the device table (`mapEntryCount`).
    let lastEntryCount = Mutex<Int?>(nil)
    let perfBuffer: OpaquePointer
    let sink: PerfSink

    /// What is attached where; guarded because `reattachIfNeeded` may race `detach`.
    struct Attachment {
        var ifindex: Int32
        /// XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE: the mode the program went in with.
        var xdpModeFlag: UInt32
        /// Whether attach created the clsact qdisc (then detach removes it again).
        var createdTCHook: Bool
    }
    let attachment = Mutex<Attachment?>(nil)

    private init(
        configuration: Configuration, logger: Logger, object: OpaquePointer, maps: (Int32, Int32, Int32),
        programs: (Int32, Int32, Int32), perfBuffer: OpaquePointer, sink: PerfSink, possibleCPUs: Int,
        deviceMemory: UnsafeMutableRawBufferPointer?
    ) {
        self.configuration = configuration
        self.logger = logger
        self.object = object
        (devicesFD, dropsFD, synTokensFD) = maps
        (xdpFD, tcFD, xdpPassFD) = programs
        self.possibleCPUs = possibleCPUs
        self.deviceMemory = deviceMemory
        self.perfBuffer = perfBuffer
        self.sink = sink
    }

    deinit {
        if let deviceMemory { munmap(deviceMemory.baseAddress, deviceMemory.count) }
        perf_buffer__free(perfBuffer)
        bpf_object__close(object)
    }

    /// Maps the device table (an mmapable array) read-write; nil, with the reason logged, when the
    /// kernel refuses. The mapping covers whole pages; the table is the first `length` bytes.
    static func mapDeviceTable(fd: Int32, length: Int, logger: Logger) -> UnsafeMutableRawBufferPointer? {
        let page = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
        let mapped = (length + page - 1) / page * page
        let address = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else {
            logger.notice(
                "device table not mapped; scrapes will copy it",
                metadata: ["error": "\(EBPFError.call("mmap", errno: errno))"])
            return nil
        }
        return UnsafeMutableRawBufferPointer(start: address, count: mapped)
    }

    /// Opens the embedded object, writes the configuration into its read-only data and map sizes,
    /// and loads it: the verifier runs here. Nothing is attached yet.
    public static func load(_ configuration: Configuration, logger: Logger) throws(EBPFError) -> EBPFCapture {
        try validate(configuration)
        // One load at a time, so libbpf's messages (it has one global print callback) reach the
        // logger of the load that caused them.
        return try loadLock.withLock { (_: inout Void) throws(EBPFError) -> EBPFCapture in
            LibBPFLog.route(to: logger)
            return try loadRouted(configuration, logger: logger)
        }
    }

    private static let loadLock = Mutex<Void>(())

    private static func loadRouted(_ configuration: Configuration, logger: Logger) throws(EBPFError) -> EBPFCapture {
        let object = try openEmbeddedObject()
        var loaded = false
        defer { if !loaded { bpf_object__close(object) } }

        let devices = try map(object, LS_MAP_DEVICES)
        let synTokens = try map(object, LS_MAP_SYN_TOKENS)
        let dnsTokens = try map(object, LS_MAP_DNS_TOKENS)
        let payloadTokens = try map(object, LS_MAP_PAYLOAD_TOKENS)
        let cpus = max(1, Int(libbpf_num_possible_cpus()))
        let tableElements = Self.slotCount(forDevices: configuration.maxDevices) * cpus
        guard tableElements <= Int(UInt32.max) else {
            throw .invalidConfiguration(
                "maxDevices \(configuration.maxDevices) on \(cpus) CPUs needs \(tableElements) device-table slots, more than a BPF map holds"
            )
        }
        let buckets = configuration.maxDevices
        for (map, entries) in [
            (devices, tableElements), (synTokens, buckets), (dnsTokens, buckets), (payloadTokens, buckets),
        ] {
            let result = bpf_map__set_max_entries(map, UInt32(entries))
            guard result == 0 else { throw .libbpf("bpf_map__set_max_entries", result) }
        }
        try writeConfig(configuration, into: object)

        let loadResult = bpf_object__load(object)
        guard loadResult == 0 else { throw .libbpf("bpf_object__load", loadResult) }

        let programs = (
            try programFD(object, LS_PROG_XDP), try programFD(object, LS_PROG_TC),
            try programFD(object, LS_PROG_XDP_PASS)
        )
        let events = try map(object, LS_MAP_EVENTS)
        let drops = try map(object, LS_MAP_DROPS)
        let pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
        var pages = 1
        while pages * pageSize < configuration.ringBufferBytes { pages <<= 1 }
        let sink = PerfSink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        guard
            let perfBuffer = perf_buffer__new(
                bpf_map__fd(events), pages, PerfSink.sampleCallback, PerfSink.lostCallback, context, nil)
        else { throw .call("perf_buffer__new", errno: ls_errno()) }

        // Mapped last: nothing after this can fail, and the capture unmaps it when it goes.
        let deviceMemory = mapDeviceTable(fd: bpf_map__fd(devices), length: tableElements * valueStride, logger: logger)
        let capture = EBPFCapture(
            configuration: configuration, logger: logger, object: object,
            maps: (bpf_map__fd(devices), bpf_map__fd(drops), bpf_map__fd(synTokens)), programs: programs,
            perfBuffer: perfBuffer, sink: sink, possibleCPUs: cpus, deviceMemory: deviceMemory)
        loaded = true
        logger.debug(
            "eBPF object loaded",
            metadata: [
                "interface": "\(configuration.interface)", "maxDevices": "\(configuration.maxDevices)",
                "perfBufferPagesPerCPU": "\(pages)", "mode": "\(configuration.mode.rawValue)",
            ])
        return capture
    }

    /// CPUs the kernel may run the programs on: the device table has a stripe for each.
    public var possibleCPUCount: Int { possibleCPUs }

    /// Whether scrapes read the device table in place (mmapped) rather than copying it.
    public var isDeviceTableMapped: Bool { deviceMemory != nil }

    /// Capacity of the device map, in devices.
    public var mapCapacity: Int { configuration.maxDevices }

    static func validate(_ configuration: Configuration) throws(EBPFError) {
        guard (1...(1 << 24)).contains(configuration.maxDevices) else {
            throw .invalidConfiguration("maxDevices \(configuration.maxDevices) is outside 1...16777216")
        }
        guard (64...Int(LS_SNAP_MAX)).contains(configuration.snapLength) else {
            throw .invalidConfiguration("snapLength \(configuration.snapLength) is outside 64...\(LS_SNAP_MAX)")
        }
        let limits: [(String, UInt32)] = [
            ("synRatePerSecond", configuration.synRatePerSecond), ("synBurst", configuration.synBurst),
            ("dnsRatePerSecond", configuration.dnsRatePerSecond), ("dnsBurst", configuration.dnsBurst),
            ("payloadRatePerSecond", configuration.payloadRatePerSecond), ("payloadBurst", configuration.payloadBurst),
        ]
        for (name, value) in limits where value > 1_000_000 {
            throw .invalidConfiguration("\(name) \(value) is above 1000000")
        }
        guard (4096...(1 << 30)).contains(configuration.ringBufferBytes) else {
            throw .invalidConfiguration("ringBufferBytes \(configuration.ringBufferBytes) is outside 4096...1073741824")
        }
    }

    static func openEmbeddedObject() throws(EBPFError) -> OpaquePointer {
        let bytes = try EmbeddedBPFObject.lanscope.get()
        let object = bytes.withUnsafeBytes { ls_object_open_mem($0.baseAddress, $0.count, "lanscope") }
        guard let object else { throw .call("bpf_object__open_mem", errno: ls_errno()) }
        return object
    }

    static func map(_ object: OpaquePointer, _ name: String) throws(EBPFError) -> OpaquePointer {
        guard let map = bpf_object__find_map_by_name(object, name) else {
            throw .object("map \(name) not found")
        }
        return map
    }

    static func programFD(_ object: OpaquePointer, _ name: String) throws(EBPFError) -> Int32 {
        guard let program = bpf_object__find_program_by_name(object, name) else {
            throw .object("program \(name) not found")
        }
        let fd = bpf_program__fd(program)
        guard fd >= 0 else { throw .libbpf("bpf_program__fd(\(name))", fd) }
        return fd
    }

    /// The internal map backing `LS_CONFIG_SECTION`, which holds `struct ls_config` and nothing else.
    static func configMap(_ object: OpaquePointer) -> OpaquePointer? {
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            if bpf_map__is_internal(current), let name = bpf_map__name(current),
                String(cString: name).hasSuffix(LS_CONFIG_SECTION)
            {
                return current
            }
            map = bpf_object__next_map(object, current)
        }
        return nil
    }

    static func writeConfig(_ configuration: Configuration, into object: OpaquePointer) throws(EBPFError) {
        guard let map = configMap(object) else { throw .object("section \(LS_CONFIG_SECTION) not found") }
        var config = ls_config()
        config.snap_len = UInt32(configuration.snapLength)
        config.syn_rate_per_sec = configuration.synRatePerSecond
        config.syn_burst = configuration.synBurst
        config.dns_rate_per_sec = configuration.dnsRatePerSecond
        config.dns_burst = configuration.dnsBurst
        config.payload_rate_per_sec = configuration.payloadRatePerSecond
        config.payload_burst = configuration.payloadBurst
        config.count_ingress_dst = configuration.mode == .span ? 1 : 0
        config.slot_count = UInt32(slotCount(forDevices: configuration.maxDevices))
        var random = SystemRandomNumberGenerator()
        config.hash_seed = random.next()
        var size = 0
        guard bpf_map__initial_value(map, &size) != nil, size == MemoryLayout<ls_config>.size else {
            throw .object("\(LS_CONFIG_SECTION) holds \(size) bytes, expected \(MemoryLayout<ls_config>.size)")
        }
        let result = bpf_map__set_initial_value(map, &config, MemoryLayout<ls_config>.size)
        guard result == 0 else { throw .libbpf("bpf_map__set_initial_value", result) }
    }

    /// Slots in the kernel device table for `devices`: half as many again as the capacity (at least
    /// LS_SLOT_PROBES), so a full table has load 0.67 and linear probes stay short (see
    /// `LS_SLOT_PROBES`). Every slot is read at each scrape, so more slots cost scrape time.
    static func slotCount(forDevices devices: Int) -> Int {
        max(Int(LS_SLOT_PROBES), (devices * 3 + 1) / 2)
    }

    /// How embedded object text becomes bytes (a damaged or empty object is an error).
    @_spi(Testing)
    public static func decodeEmbeddedObject(_ text: String) throws(EBPFError) -> [UInt8] {
        try EmbeddedBPFObject.decode(text).get()
    }

    /// The embedded object file, for tests that hand it to other tools.
    @_spi(Testing)
    public static var embeddedObjectBytes: [UInt8] { (try? EmbeddedBPFObject.lanscope.get()) ?? [] }

    /// Map and program names found in the embedded object, read with libbpf without loading it
    /// (needs no privileges). Internal maps (`.rodata`, `.bss`...) are listed separately.
    public static func embeddedObjectNames() throws(EBPFError) -> (
        maps: [String], internalMaps: [String], programs: [String]
    ) {
        let object = try openEmbeddedObject()
        defer { bpf_object__close(object) }
        var maps: [String] = []
        var internalMaps: [String] = []
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            let name = bpf_map__name(current).map { String(cString: $0) } ?? ""
            if bpf_map__is_internal(current) { internalMaps.append(name) } else { maps.append(name) }
            map = bpf_object__next_map(object, current)
        }
        var programs: [String] = []
        var program = bpf_object__next_program(object, nil)
        while let current = program {
            programs.append(bpf_program__name(current).map { String(cString: $0) } ?? "")
            program = bpf_object__next_program(object, current)
        }
        return (maps, internalMaps, programs)
    }
}
