import LanscopeCore

/// What a capture backend reports about itself for `/metrics`.
public struct CaptureStatus: Sendable {
    public var backend: String
    public var mode: String
    public var interface: String
    public var up: Bool
    /// Frames lost before lanscope saw them, by reason (`lanscope_capture_dropped_total{reason}`).
    public var dropped: [String: UInt64]
    /// BPF map fill: map name → (entries, capacity).
    public var maps: [String: (entries: Int, capacity: Int)]
    public init(
        backend: String, mode: String, interface: String, up: Bool, dropped: [String: UInt64] = [:],
        maps: [String: (entries: Int, capacity: Int)] = [:]
    ) {
        self.backend = backend; self.mode = mode; self.interface = interface; self.up = up
        self.dropped = dropped; self.maps = maps
    }
}

/// Where `/metrics` reads per-device counters: the BPF maps (eBPF backend) or the registry (libpcap,
/// file replay).
public protocol TrafficSource: Sendable {
    /// Every device's counters and last-seen time as the backend counted them, ordered by MAC; `nil`
    /// when the registry's own counters are authoritative.
    func deviceTraffic() -> DeviceTrafficTable?
    func captureStatus() -> CaptureStatus
}
