import Exposition
import Glibc
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
        public var presenceWindow: Duration = DeviceRendering.Presence.defaultWindow
        /// Export per-device traffic by direction × IP version × L4 protocol
        /// (`lanscope_device_traffic_{packets,bytes}_total{mac,...}`, up to 24 series each per device).
        /// Default false: it multiplies the series per device; the LAN-wide split
        /// (`lanscope_traffic_*_total`) is always exported.
        public var deviceTrafficBreakdown: Bool = false
        /// Monotonic nanoseconds for the per-collector durations; nil: `CLOCK_MONOTONIC`. Tests pass a
        /// fake so golden output stays byte-stable.
        public var scrapeTimer: (@Sendable () -> UInt64)? = nil
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
        /// Every index into `devices`, in MAC order (the JSON API lists the whole inventory).
        let all: [Int]
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
        let all = ExportView(
            devices: devices, selected: order, all: order, omitted: 0, backend: backend, backendRows: rows)
        guard order.count > configuration.maxExportedDevices else { return all }
        let kept = ExportCap.kept(
            order, limit: configuration.maxExportedDevices,
            lastSeen: { all.lastSeen($0).nanoseconds }, mac: { devices[$0].mac.rawValue })
        return ExportView(
            devices: devices, selected: kept, all: order, omitted: order.count - kept.count,
            backend: backend, backendRows: rows)
    }

    /// Every family of one scrape: each collector in turn, then how long each took
    /// (`lanscope_scrape_collector_duration_seconds{collector}`).
    public func collect() -> [MetricFamily] {
        let scrape = scrapeContext()
        let timer = configuration.scrapeTimer ?? MetricsCollector.monotonicNanoseconds
        var families: [MetricFamily] = []
        families.reserveCapacity(48)
        var durations: [(String, UInt64)] = []
        for collector in collectors {
            let started = timer()
            families += collector.collect(scrape)
            durations.append((collector.name, timer() &- started))
        }
        var duration = MetricFamilyBuilder(
            name: "lanscope_scrape_collector_duration_seconds", help: "Time each collector took in this scrape.",
            type: .gauge, labelNames: ["collector"])
        for (name, nanoseconds) in durations.sorted(by: { $0.0 < $1.0 }) {
            duration.add(name, value: Double(nanoseconds) / 1e9)
        }
        families.append(duration.build())
        return families
    }

    /// What every collector of one scrape reads.
    func scrapeContext() -> ScrapeContext {
        ScrapeContext(
            now: clock.now(), view: exportedOrder(), statistics: pipeline.statistics(),
            capture: traffic.captureStatus())
    }

    /// The collectors of a scrape, in output order: one per concern, each golden-tested on its own.
    var collectors: [any ScrapeCollector] {
        [
            DeviceCollector(configuration: configuration, registry: registry),
            InventoryCollector(registry: registry),
            PipelineCollector(pipeline: pipeline),
            CaptureCollector(),
            StoreCollector(counters: counters),
            HTTPCollector(counters: counters),
            BuildCollector(processMetrics: processMetrics),
        ]
    }

    static let monotonicNanoseconds: @Sendable () -> UInt64 = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
