/// An anomaly event: something a detector flagged. Stored in history, served on `/alerts.json`,
/// counted in `lanscope_anomalies_total{kind,severity}`.
public struct AnomalyEvent: Sendable, Hashable {
    public var time: Timestamp
    public var kind: AnomalyKind
    public var severity: Severity
    public var mac: MACAddress?
    /// Human summary, e.g. `new device 3c:22:fb:00:00:01 (Apple, Inc.) at 192.168.1.20`.
    public var summary: String
    /// Structured details (sorted keys when rendered).
    public var details: [String: String]

    public init(time: Timestamp, kind: AnomalyKind, severity: Severity, mac: MACAddress?, summary: String,
                details: [String: String] = [:]) {
        self.time = time; self.kind = kind; self.severity = severity; self.mac = mac
        self.summary = summary; self.details = details
    }
}

/// Raw values are the `kind` label and the database column: never rename one.
public enum AnomalyKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case newDevice = "new_device"
    case portScan = "port_scan"
    case trafficSpike = "traffic_spike"
    case arpSpoofing = "arp_spoofing"
    case ipConflict = "ip_conflict"
    case gatewayChange = "gateway_change"
    case rogueDHCP = "rogue_dhcp"
    case rogueRouterAdvertisement = "rogue_router_advertisement"
    case identityChange = "identity_change"
    case deviceOffline = "device_offline"

    public static func < (a: AnomalyKind, b: AnomalyKind) -> Bool { a.rawValue < b.rawValue }
}

public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case info, warning, critical
    public static func < (a: Severity, b: Severity) -> Bool {
        let order: [Severity] = [.info, .warning, .critical]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}
