/// An anomaly event: something a detector flagged. Stored in history, served on `/alerts.json`,
/// counted in `lanscope_anomalies_total{kind,severity}`.
public struct AnomalyEvent: Sendable, Hashable {
    public var time: Timestamp
    public var kind: AnomalyKind
    public var severity: Severity
    public var mac: MACAddress?
    /// Human summary, e.g. `new device 3c:22:fb:00:00:01 (Apple, Inc.) at 192.168.1.20`.
    public var summary: String
    /// Structured details and evidence (sorted keys when rendered).
    public var details: [String: String]
    /// Other devices involved (the MAC that held an address before, a scan's targets...).
    public var relatedMACs: [MACAddress]
    /// When the condition ended (nil while active, or for instantaneous events).
    public var endTime: Timestamp?

    public init(
        time: Timestamp, kind: AnomalyKind, severity: Severity, mac: MACAddress?, summary: String,
        details: [String: String] = [:], relatedMACs: [MACAddress] = [], endTime: Timestamp? = nil
    ) {
        self.time = time; self.kind = kind; self.severity = severity; self.mac = mac
        self.summary = summary; self.details = details
        self.relatedMACs = relatedMACs; self.endTime = endTime
    }
}

extension AnomalyEvent {
    /// `details["phase"]` of an event that closes an earlier one (a scan over, a traffic spike over, a
    /// device back online): same kind, MAC and `time` as the opening event, with `endTime` set. Consumers
    /// that count anomalies or mark them active skip closing events and end the opening one instead.
    public static let closingPhase = "end"

    /// Whether this event closes an earlier one (see `closingPhase`).
    public var isClosing: Bool { details["phase"] == AnomalyEvent.closingPhase }
}

/// Raw values are the `kind` label and the database column: never rename one.
public enum AnomalyKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case newDevice = "new_device"
    case portScan = "port_scan"
    case arpSweep = "arp_sweep"
    case trafficSpike = "traffic_spike"
    /// An address's learned MAC binding changed, or the gateway's MAC changed (critical).
    case arpSpoof = "arp_spoof"
    /// Two MACs claim one IP at the same time.
    case ipConflict = "ip_conflict"
    case rogueDHCP = "rogue_dhcp"
    case rogueRA = "rogue_ra"
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
