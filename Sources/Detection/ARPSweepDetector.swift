import LanscopeCore

/// Raises `arp_sweep` when one sender asks ARP who-has (RFC 826 op 1) for `unknownTargets` distinct
/// addresses that no device in the inventory holds, within `window` — `nmap -sn`, `arp-scan` and worms
/// sweeping a subnet. Counting only unheld addresses keeps a busy gateway quiet: it re-resolves the
/// hosts it talks to (which the inventory knows), while a sweep asks mostly for empty addresses.
/// Gratuitous ARP (sender IP = target IP), probes (RFC 5227, sender 0.0.0.0) and unicast requests
/// (a neighbour cache re-validating an entry, RFC 1122 §2.3.2.1) are not counted.
///
/// Every capture mode sees ARP requests (broadcast; the eBPF backend hands all ARP up). One event per
/// sweep episode; a sender raises again after `quietPeriod` without requests.
public struct ARPSweepDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Window in which a sender's targets are counted (default 60 s).
        public var window: Duration = .seconds(60)
        /// Distinct unheld target addresses within the window that make a sweep (default 32).
        public var unknownTargets: Int = 32
        /// Quiet time after which a sender's episode ends (default 300 s).
        public var quietPeriod: Duration = .seconds(300)
        /// Most senders tracked (default 1024). When full, the senders with the fewest targets (and no
        /// raised sweep) are forgotten to make room, so a flood of spoofed one-request senders cannot hide
        /// a sweep behind it; forgotten senders (or, when nothing can be forgotten, refused requests) are
        /// counted in `stateStatistics.dropped`.
        public var maxSenders: Int = 1_024
        /// Most targets remembered per sender (default 1024; counted in `dropped` when hit).
        public var maxTargetsPerSender: Int = 1_024
        public init() {}
    }

    struct Sender: Sendable {
        var address: IPv4Address?
        /// Target → when it was first asked for in the current window.
        var targets: [IPv4Address: Timestamp] = [:]
        var latch: EpisodeLatch
    }

    public let name = "arp_sweep"
    public let inputs: StageInputs = [.arpFrames, .ticks]
    private let configuration: Configuration
    private var senders: [MACAddress: Sender] = [:]
    private var dropped: UInt64 = 0

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public mutating func frame(
        _ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput
    ) {
        guard frame.arpOperation == 1, let target = frame.arpTargetIP, let senderIP = frame.arpSenderIP,
            !senderIP.isUnspecified, senderIP != target, frame.source.isUnicastDevice, frame.destination.isBroadcast
        else { return }
        let mac = frame.source
        if senders[mac] == nil {
            if senders.count >= configuration.maxSenders { forgetSmallestSenders() }
            guard senders.count < configuration.maxSenders else {
                dropped &+= 1
                return
            }
            senders[mac] = Sender(latch: EpisodeLatch(lastActivity: time))
        }
        // Taken out of the table while it is changed: a copy left behind would make every insert copy
        // the sender's whole target set (copy-on-write) — quadratic over a sweep.
        var sender = senders.removeValue(forKey: mac)!
        if sender.latch.raisedAt != nil && !sender.latch.isOpen(at: time, quietPeriod: configuration.quietPeriod) {
            sender = Sender(latch: EpisodeLatch(lastActivity: time))
        }
        sender.latch.lastActivity = time
        sender.address = senderIP
        if sender.targets[target] == nil, context.inventory.holder(of: .v4(target)) == nil {
            if sender.targets.count >= configuration.maxTargetsPerSender {
                sender.targets = sender.targets.filter { time - $0.value <= configuration.window }
            }
            if sender.targets.count < configuration.maxTargetsPerSender {
                sender.targets[target] = time
            } else {
                dropped &+= 1
            }
        }
        if sender.latch.raisedAt == nil && sender.targets.count >= configuration.unknownTargets {
            sender.targets = sender.targets.filter { time - $0.value <= configuration.window }
            if sender.targets.count >= configuration.unknownTargets {
                sender.latch.raisedAt = time
                output.raise(event(mac, sender, at: time))
            }
        }
        senders[mac] = sender
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        let horizon = max(configuration.window, configuration.quietPeriod)
        senders = senders.filter { tick.time - $0.value.latch.lastActivity <= horizon }
        for mac in Array(senders.keys) where senders[mac]!.latch.raisedAt == nil {
            senders[mac]!.targets = senders[mac]!.targets.filter { tick.time - $0.value <= configuration.window }
        }
    }

    /// Makes room in a full sender table: forgets every sender with the fewest targets that has no raised
    /// sweep — all at once (one pass per table-full under a flood; independent of dictionary order).
    private mutating func forgetSmallestSenders() {
        var fewest = Int.max
        for sender in senders.values where sender.latch.raisedAt == nil { fewest = min(fewest, sender.targets.count) }
        guard fewest != Int.max else { return }
        let before = senders.count
        senders = senders.filter { $0.value.latch.raisedAt != nil || $0.value.targets.count > fewest }
        dropped &+= UInt64(before - senders.count)
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: senders.values.reduce(0) { $0 + 1 + $1.targets.count }, dropped: dropped)
    }

    private func event(_ mac: MACAddress, _ sender: Sender, at time: Timestamp) -> AnomalyEvent {
        let first = sender.targets.values.min() ?? time
        var details = [
            "targets": String(sender.targets.count),
            "target_list": EventEvidence.list(sender.targets.keys),
            "window_s": EventEvidence.seconds(configuration.window),
        ]
        if let range = sender.targets.keys.min().flatMap({ low in sender.targets.keys.max().map { (low, $0) } }) {
            details["range"] = "\(range.0)-\(range.1)"
        }
        let who = sender.address.map { "\(mac) (\($0))" } ?? mac.description
        if let address = sender.address { details["sender_ip"] = address.description }
        return AnomalyEvent(
            time: first, kind: .arpSweep, severity: .warning, mac: mac,
            summary: "ARP sweep by \(who): who-has for \(sender.targets.count) unknown addresses",
            details: details)
    }
}
