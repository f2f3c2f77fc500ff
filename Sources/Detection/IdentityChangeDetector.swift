import LanscopeCore

/// Raises `identity_change` (warning) when a known MAC's identity changes sharply — what a cloned MAC
/// (another device taking over a known device's address) looks like. Fed by the inventory's
/// `identityChanged` changes (the classification history): only a change from one value to another
/// counts, never the first value, and only on a device first seen at least `settleTime` before.
///
/// Sharp means:
/// - `dhcp_fingerprint` / `dhcpv6_fingerprint`: the option lists share less than
///   `minimumFingerprintSimilarity` of their options (Jaccard similarity of the sets): a different
///   DHCP client. An OS update adding or dropping an option or reordering the list stays above it.
/// - `type`: a change between unrelated classes (a phone becoming a printer); `unknown` to anything or
///   back, and moves within a family (laptop ↔ desktop, phone ↔ tablet, the IoT classes) are refinements.
/// - `os`: a change of OS family (Windows → Android); version changes and unknown ↔ X are not.
///   Linux, Android and ChromeOS are one family (the classifier refines Linux to Android).
///
/// `tcp_signature` is not used: one device's SYNs vary with the application and the path MTU.
/// Each (MAC, field) raises at most once per `realertAfter`. Nothing is raised while learning.
public struct IdentityChangeDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Fingerprint similarity (shared options / all options) under which a change is sharp, in
        /// [0, 1] (default 0.5).
        public var minimumFingerprintSimilarity: Double = 0.5
        /// A device must have been known this long before its identity changes count (default 600 s).
        public var settleTime: Duration = .seconds(600)
        /// The same (MAC, field) raises again only after this long (default 3600 s).
        public var realertAfter: Duration = .seconds(3_600)
        /// Most (MAC, field) alerts remembered (default 16384; counted in `stateStatistics.dropped`).
        public var maxEntries: Int = 16_384
        public init() {}
    }

    struct Key: Hashable, Sendable {
        var mac: MACAddress
        var field: IdentityField
    }

    public let name = "identity_change"
    public let inputs: StageInputs = [.changes, .ticks]
    private let configuration: Configuration
    private var alerted: [Key: Timestamp] = [:]
    private var dropped: UInt64 = 0

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        guard case .identityChanged(let mac, let field, let from?, let to, let time) = change, !context.learning,
            let reason = sharpness(field, from: from, to: to)
        else { return }
        if let device = context.inventory.identity(mac), time - device.firstSeen < configuration.settleTime { return }
        let key = Key(mac: mac, field: field)
        if let last = alerted[key], time - last < configuration.realertAfter { return }
        guard alerted[key] != nil || alerted.count < configuration.maxEntries else {
            dropped &+= 1
            return
        }
        alerted[key] = time
        output.raise(
            AnomalyEvent(
                time: time, kind: .identityChange, severity: .warning, mac: mac,
                summary: "\(mac) changed \(field.rawValue) from \(Self.short(from)) to \(Self.short(to))",
                details: ["field": field.rawValue, "from": Self.short(from), "to": Self.short(to), "reason": reason]))
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        alerted = alerted.filter { tick.time - $0.value < configuration.realertAfter }
    }

    public var stateStatistics: StageStateStatistics { StageStateStatistics(entries: alerted.count, dropped: dropped) }

    /// Why the change is sharp, or nil when it is a refinement or noise.
    func sharpness(_ field: IdentityField, from: String, to: String) -> String? {
        switch field {
        case .dhcpFingerprint, .dhcpv6Fingerprint:
            let a = Self.options(from), b = Self.options(to)
            guard !a.isEmpty, !b.isEmpty else { return nil }
            let similarity = Double(a.intersection(b).count) / Double(a.union(b).count)
            guard similarity < configuration.minimumFingerprintSimilarity else { return nil }
            return "option lists \(Int((similarity * 100).rounded())) % alike"
        case .type:
            guard let a = DeviceType(rawValue: from), let b = DeviceType(rawValue: to), a != .unknown, b != .unknown,
                Self.family(a) != Self.family(b)
            else { return nil }
            return "device class \(Self.family(a)) to \(Self.family(b))"
        case .os:
            guard let a = Self.osFamily(from), let b = Self.osFamily(to), a != b else { return nil }
            return "OS family \(a) to \(b)"
        default:
            return nil
        }
    }

    static func options(_ text: String) -> Set<Substring> {
        Set(text.split(whereSeparator: { $0 == "," || $0 == " " }))
    }

    /// Device classes whose members the classifier may confuse or refine into one another.
    static func family(_ type: DeviceType) -> String {
        switch type {
        case .phone, .tablet: "mobile"
        case .laptop, .desktop: "computer"
        case .server, .nas: "server"
        case .tv, .streamer, .speaker, .gameConsole: "media"
        case .router, .accessPoint, .switch: "network"
        case .printer: "printer"
        case .camera, .smartPlug, .light, .hub, .thermostat, .sensor, .appliance, .iotOther: "iot"
        case .unknown: "unknown"
        }
    }

    /// The OS family of a classifier OS value, or nil when unknown.
    static func osFamily(_ os: String) -> String? {
        let text = os.lowercased()
        let families: [(String, [String])] = [
            ("windows", ["windows"]), ("apple-mobile", ["ios", "ipados", "iphone", "watchos", "tvos"]),
            ("macos", ["macos", "mac os", "os x"]), ("linux", ["android", "linux", "chrome"]),
            ("bsd", ["bsd"]),
        ]
        for (family, needles) in families where needles.contains(where: { text.contains($0) }) { return family }
        guard !text.isEmpty, text != "unknown" else { return nil }
        return String(text.split(separator: " ").first ?? Substring(text))
    }

    /// A detail value cut to 64 characters.
    static func short(_ text: String) -> String { text.count > 64 ? String(text.prefix(63)) + "…" : text }
}
