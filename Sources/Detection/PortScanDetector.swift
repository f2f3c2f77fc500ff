import LanscopeCore

/// Raises `port_scan` when one device (the source MAC of TCP SYNs) probes like a scanner within
/// `window`:
/// - **vertical**: `verticalPorts` distinct destination ports on one host;
/// - **block**: `verticalPorts` distinct (host, port) probes over several on-link hosts — a scan of a
///   few hosts at once, whose ports the eBPF SYN rate limit spreads so thinly that no single host
///   reaches `verticalPorts` (nmap -sS -T4 of 200 ports on 3 hosts hands up ~35 ports per host). Only
///   on-link targets count, so a client reaching many Internet servers and ports never does;
/// - **horizontal**: one port on `horizontalHosts` distinct on-link hosts (counted by destination MAC,
///   so a browser reaching many Internet servers through the gateway — one MAC — never counts);
/// - **failed handshakes**: `failedProbes` distinct (host, port) probes to on-link hosts refused with
///   RST or never answered by a SYN-ACK within `handshakeTimeout` — the strongest signal, used only
///   while answers are visible at all (an RST answered a probe in the last 10 minutes: SYN-ACKs alone do
///   not prove it, as the eBPF backend hands them up rate-limited and RSTs never). On-link: the
///   inventory knows the target address behind the frame's destination MAC; a peer-to-peer client
///   failing to reach many Internet peers through the gateway does not count.
///
/// What each capture mode sees: libpcap in gateway/span mode sees SYNs and their answers, so all
/// three rules apply. With eBPF only SYNs and SYN-ACKs are handed up (rate-limited to 50/s, burst 100,
/// per source) and no RST, so only the vertical, block and horizontal rules apply, and a fast scan is counted from the
/// SYNs that passed the limit (the thresholds stay reachable: 50 ports take one second). In host mode
/// only scans of the sensor itself are visible. UDP scans are not detected (traceroute, RTP and games
/// use many UDP ports innocently; the signal would need ICMP port-unreachable tracking).
///
/// One event per scan episode, raised when a threshold is crossed (the counts then), and a closing
/// event (same kind, MAC and `time`, `endTime` = the last SYN, `details["phase"] = "end"`) once the
/// scanner sent no SYN for `quietPeriod` — or at the final tick of a replay — with the totals over the
/// whole scan: distinct ports, targets and SYNs.
public struct PortScanDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Window in which probes are counted (default 60 s).
        public var window: Duration = .seconds(60)
        /// Distinct destination ports on one host within the window for a vertical scan, and distinct
        /// (host, port) probes over on-link hosts for a block scan (default 50).
        public var verticalPorts: Int = 50
        /// Distinct on-link hosts (destination MACs) on one port within the window for a horizontal scan
        /// (default 24).
        public var horizontalHosts: Int = 24
        /// Distinct probes refused (RST) or unanswered within the window for a failed-handshake scan
        /// (default 20; only while answers are visible).
        public var failedProbes: Int = 20
        /// How long a SYN waits for its SYN-ACK before it counts as unanswered (default 3 s).
        public var handshakeTimeout: Duration = .seconds(3)
        /// Quiet time after which a scanner's episode ends and a new scan raises again (default 300 s).
        public var quietPeriod: Duration = .seconds(300)
        /// Most scanners tracked at once (default 1024). When full, the sources holding the fewest probes
        /// (and no raised scan) are forgotten to make room, so a flood of one-SYN spoofed MACs cannot
        /// hide a real scanner behind it; forgotten sources (or, when nothing can be forgotten, refused
        /// SYNs) are counted in `stateStatistics.dropped`.
        public var maxSources: Int = 1_024
        /// Most probes remembered per source within the window (default 2048); further probes are not
        /// remembered (counted in `stateStatistics.dropped`) — the thresholds are far below.
        public var maxProbesPerSource: Int = 2_048
        /// Most probes remembered over all sources (default 131072, about 16 MB); further probes are
        /// not remembered (counted in `stateStatistics.dropped`).
        public var maxProbes: Int = 131_072
        public init() {}
    }

    struct Probe: Hashable, Sendable {
        var target: IPAddress
        var port: UInt16
    }

    enum Outcome: Sendable { case pending, answered, failed }

    struct ProbeState: Sendable {
        var time: Timestamp
        var targetMAC: MACAddress
        var outcome: Outcome
        /// The target is on the LAN: the inventory knows its address behind the frame's destination MAC.
        var onLink: Bool
    }

    struct PortHost: Hashable, Sendable {
        var port: UInt16
        var mac: MACAddress
    }

    struct Source: Sendable {
        var address: IPAddress?
        var probes: [Probe: ProbeState] = [:]
        var portsByTarget: [IPAddress: Int] = [:]
        var hostsByPort: [UInt16: Int] = [:]
        var portHosts: [PortHost: Int] = [:]
        /// Distinct probes to on-link targets within the window (the block rule).
        var onLinkProbes = 0
        var failed = 0
        var lastPrune: Timestamp
        var latch: EpisodeLatch
        /// What the scan covered since it was raised (for the closing event).
        var episode: Episode?
    }

    /// Totals of one raised scan, over its whole length (not only the window).
    struct Episode: Sendable {
        /// The opening event's `time` (its first probe).
        var start: Timestamp
        var style: String
        var lastSYN: Timestamp
        var syns = 0
        /// One bit per destination port.
        var ports = [UInt64](repeating: 0, count: 1_024)
        var portCount = 0
        /// Distinct targets, at most `maxEpisodeTargets`.
        var targets: Set<IPAddress> = []
        var targetCount = 0
        var targetMACs: Set<MACAddress> = []

        static let maxEpisodeTargets = 4_096

        mutating func add(_ probe: Probe, targetMAC: MACAddress, at time: Timestamp) {
            syns += 1
            lastSYN = max(lastSYN, time)
            let word = Int(probe.port >> 6), bit = UInt64(1) << UInt64(probe.port & 63)
            if ports[word] & bit == 0 {
                ports[word] |= bit
                portCount += 1
            }
            if !targets.contains(probe.target) {
                targetCount += 1
                if targets.count < Episode.maxEpisodeTargets { targets.insert(probe.target) }
            }
            if targetMACs.count < EventEvidence.relatedLimit * 4 { targetMACs.insert(targetMAC) }
        }

        /// The lowest ports scanned, for the evidence.
        func portSample(_ limit: Int) -> [UInt16] {
            var out: [UInt16] = []
            for port in 0...UInt16.max where ports[Int(port >> 6)] & (UInt64(1) << UInt64(port & 63)) != 0 {
                out.append(port)
                if out.count == limit { break }
            }
            return out
        }
    }

    public let name = "port_scan"
    public let inputs: StageInputs = [.tcpControlFrames, .ticks]
    private let configuration: Configuration
    private var sources: [MACAddress: Source] = [:]
    /// Last time an RST refused a tracked probe: whether handshakes are visible. A SYN-ACK does not count:
    /// the eBPF backend hands SYN-ACKs up within a rate limit, so one seen says nothing of the others.
    private var lastRefusal: Timestamp?
    /// Probes held over all sources (bounded by `maxProbes`).
    private var totalProbes = 0
    private var dropped: UInt64 = 0

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public mutating func frame(
        _ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput
    ) {
        guard frame.transport == 6, let destination = frame.destinationIP else { return }
        let syn = frame.tcpFlags & 0x02 != 0, ack = frame.tcpFlags & 0x10 != 0, rst = frame.tcpFlags & 0x04 != 0
        if syn && !ack {
            probe(
                from: frame.source, address: frame.sourceIP, to: destination, port: frame.destinationPort,
                targetMAC: frame.destination, at: time, context: context, output: &output)
        } else if (syn && ack) || rst, let source = frame.sourceIP {
            answer(
                to: frame.destination, from: Probe(target: source, port: frame.sourcePort), refused: rst, at: time,
                output: &output)
        }
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        for mac in sources.keys.sorted() {
            guard var source = sources[mac] else { continue }
            let quiet = tick.time - source.latch.lastActivity
            if let episode = source.episode, tick.isFinal || quiet > configuration.quietPeriod {
                output.raise(closing(mac, source, episode))
                source.episode = nil
                sources[mac] = source
            }
            if quiet > max(configuration.quietPeriod, configuration.window) {
                totalProbes -= source.probes.count
                sources[mac] = nil
                continue
            }
            let before = source.probes.count
            prune(&source, at: tick.time)
            totalProbes -= before - source.probes.count
            sources[mac] = source
            evaluate(mac, at: tick.time, output: &output)
        }
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: sources.count + totalProbes, dropped: dropped)
    }

    private mutating func probe(
        from mac: MACAddress, address: IPAddress?, to target: IPAddress, port: UInt16,
        targetMAC: MACAddress, at time: Timestamp, context: StageContext, output: inout StageOutput
    ) {
        guard mac.isUnicastDevice else { return }
        if sources[mac] == nil {
            if sources.count >= configuration.maxSources { forgetSmallestSources() }
            guard sources.count < configuration.maxSources else {
                dropped &+= 1
                return
            }
            sources[mac] = Source(address: address, lastPrune: time, latch: EpisodeLatch(lastActivity: time))
        }
        // Taken out of the table while it is changed: a copy left behind would make every new probe copy
        // the source's whole probe table (copy-on-write) — quadratic over a scan.
        var source = sources.removeValue(forKey: mac)!
        if source.latch.raisedAt != nil && !source.latch.isOpen(at: time, quietPeriod: configuration.quietPeriod) {
            // The previous episode is over (no tick came since): close it and start counting afresh.
            if let episode = source.episode { output.raise(closing(mac, source, episode)) }
            totalProbes -= source.probes.count
            source = Source(address: address, lastPrune: time, latch: EpisodeLatch(lastActivity: time))
        }
        source.latch.lastActivity = time
        if address != nil { source.address = address }
        if time - source.lastPrune >= configuration.window / 4 {
            let before = source.probes.count
            prune(&source, at: time)
            totalProbes -= before - source.probes.count
        }
        let key = Probe(target: target, port: port)
        source.episode?.add(key, targetMAC: targetMAC, at: time)
        if source.probes[key] == nil {
            if source.probes.count < configuration.maxProbesPerSource && totalProbes < configuration.maxProbes {
                let onLink = context.inventory.holder(of: target) == targetMAC
                source.probes[key] = ProbeState(time: time, targetMAC: targetMAC, outcome: .pending, onLink: onLink)
                totalProbes += 1
                if onLink { source.onLinkProbes += 1 }
                source.portsByTarget[target, default: 0] += 1
                let portHost = PortHost(port: port, mac: targetMAC)
                source.portHosts[portHost, default: 0] += 1
                if source.portHosts[portHost] == 1 { source.hostsByPort[port, default: 0] += 1 }
            } else {
                dropped &+= 1
            }
        }
        sources[mac] = source
        evaluate(mac, at: time, output: &output)
    }

    /// Makes room in a full source table: forgets every source with the fewest probes that has no
    /// raised scan. All of them at once, so a flood costs one pass per table-full, and which ones go does
    /// not depend on dictionary order (replays stay deterministic). A scanner collecting probes holds
    /// more than the flood's one-SYN sources and stays.
    private mutating func forgetSmallestSources() {
        var fewest = Int.max
        for source in sources.values where source.latch.raisedAt == nil { fewest = min(fewest, source.probes.count) }
        guard fewest != Int.max else { return }
        let before = sources.count
        sources = sources.filter { $0.value.latch.raisedAt != nil || $0.value.probes.count > fewest }
        totalProbes -= (before - sources.count) * fewest
        dropped &+= UInt64(before - sources.count)
    }

    private mutating func answer(
        to mac: MACAddress, from probe: Probe, refused: Bool, at time: Timestamp,
        output: inout StageOutput
    ) {
        guard let state = sources[mac]?.probes[probe] else { return }
        if refused { lastRefusal = time }
        guard state.outcome == .pending else { return }
        let failed = refused && state.onLink
        // In place: a copy of the source would copy its probe table on every answer.
        sources[mac]!.probes[probe]!.outcome = failed ? .failed : .answered
        if failed { sources[mac]!.failed += 1 }
        if failed { evaluate(mac, at: time, output: &output) }
    }

    /// Forgets probes older than the window and marks overdue ones unanswered (when answers are visible).
    private func prune(_ source: inout Source, at time: Timestamp) {
        source.lastPrune = time
        let answersVisible = lastRefusal.map { time - $0 <= .seconds(600) } ?? false
        for (probe, state) in source.probes {
            if time - state.time > configuration.window {
                source.probes[probe] = nil
                source.portsByTarget[probe.target]! -= 1
                if source.portsByTarget[probe.target] == 0 { source.portsByTarget[probe.target] = nil }
                let portHost = PortHost(port: probe.port, mac: state.targetMAC)
                source.portHosts[portHost]! -= 1
                if source.portHosts[portHost] == 0 {
                    source.portHosts[portHost] = nil
                    source.hostsByPort[probe.port]! -= 1
                    if source.hostsByPort[probe.port] == 0 { source.hostsByPort[probe.port] = nil }
                }
                if state.outcome == .failed { source.failed -= 1 }
                if state.onLink { source.onLinkProbes -= 1 }
            } else if state.outcome == .pending, state.onLink, answersVisible,
                time - state.time > configuration.handshakeTimeout
            {
                source.probes[probe]?.outcome = .failed
                source.failed += 1
            }
        }
    }

    private mutating func evaluate(_ mac: MACAddress, at time: Timestamp, output: inout StageOutput) {
        guard let source = sources[mac], source.latch.raisedAt == nil else { return }
        let vertical = source.portsByTarget.max { ($0.value, $1.key) < ($1.value, $0.key) }
        let horizontal = source.hostsByPort.max { ($0.value, $1.key) < ($1.value, $0.key) }
        let style: String
        let summary: String
        let who = source.address.map { "\(mac) (\($0))" } ?? mac.description
        if let vertical, vertical.value >= configuration.verticalPorts {
            style = "vertical"
            summary = "port scan by \(who): \(vertical.value) ports on \(vertical.key)"
        } else if let horizontal, horizontal.value >= configuration.horizontalHosts {
            style = "horizontal"
            summary = "port scan by \(who): port \(horizontal.key) on \(horizontal.value) hosts"
        } else if source.onLinkProbes >= configuration.verticalPorts {
            style = "block"
            let hosts = Set(source.probes.filter(\.value.onLink).map(\.key.target)).count
            summary = "port scan by \(who): \(source.onLinkProbes) port probes over \(hosts) hosts"
        } else if source.failed >= configuration.failedProbes {
            style = "failed_handshakes"
            summary = "port scan by \(who): \(source.failed) connection attempts refused or unanswered"
        } else {
            return
        }
        sources[mac]!.latch.raisedAt = time
        let targets = Set(source.probes.keys.map(\.target))
        let ports = Set(source.probes.keys.map(\.port))
        var details: [String: String] = [
            "scan": style,
            "ports": String(ports.count),
            "port_list": EventEvidence.list(ports),
            "targets": String(targets.count),
            "target_list": EventEvidence.list(targets),
            "failed": String(source.failed),
            "window_s": EventEvidence.seconds(configuration.window),
        ]
        if let address = source.address { details["scanner_ip"] = address.description }
        let firstProbe = source.probes.values.map(\.time).min() ?? time
        var episode = Episode(start: firstProbe, style: style, lastSYN: time)
        for (probe, state) in source.probes { episode.add(probe, targetMAC: state.targetMAC, at: state.time) }
        sources[mac]!.episode = episode
        output.raise(
            AnomalyEvent(
                time: firstProbe, kind: .portScan, severity: .warning, mac: mac, summary: summary,
                details: details,
                relatedMACs: EventEvidence.related(source.probes.values.map(\.targetMAC), excluding: mac)))
    }

    /// The event that closes a raised scan: same kind, MAC and `time`, `endTime` = its last SYN, and the
    /// totals over its whole length.
    private func closing(_ mac: MACAddress, _ source: Source, _ episode: Episode) -> AnomalyEvent {
        let who = source.address.map { "\(mac) (\($0))" } ?? mac.description
        var details = [
            "phase": AnomalyEvent.closingPhase,
            "scan": episode.style,
            "ports": String(episode.portCount),
            "port_list": EventEvidence.list(episode.portSample(EventEvidence.listLimit))
                + (episode.portCount > EventEvidence.listLimit
                    ? " (+\(episode.portCount - EventEvidence.listLimit) more)" : ""),
            "targets": String(episode.targetCount),
            "target_list": EventEvidence.list(episode.targets),
            "syns": String(episode.syns),
        ]
        if let address = source.address { details["scanner_ip"] = address.description }
        let seconds = Int((episode.lastSYN - episode.start).inSeconds.rounded())
        return AnomalyEvent(
            time: episode.start, kind: .portScan, severity: .warning, mac: mac,
            summary:
                "port scan by \(who) over: \(episode.portCount) ports on \(episode.targetCount) hosts in \(seconds) s",
            details: details, relatedMACs: EventEvidence.related(episode.targetMACs, excluding: mac),
            endTime: episode.lastSYN)
    }
}
