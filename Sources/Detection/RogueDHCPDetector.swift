import LanscopeCore

/// Raises `rogue_dhcp` (critical) when a DHCP OFFER, ACK or NAK comes from a server outside the
/// expected set: the configured `trusted` servers (by MAC or server identifier) or, without a list,
/// the servers learned during the learning period or the first `learningWindow` after the first DHCP
/// server message (see `TrustedSources`). A relay agent's frames carry the relay's MAC, which is then
/// what is learned or must be trusted. One event per server per episode: a rogue server raises again
/// after `quietPeriod` without messages from it.
///
/// Every capture mode sees DHCP server messages that are broadcast; unicast OFFER/ACKs (RFC 2131
/// §4.1, clients that accept unicast) reach a host-mode sensor only when addressed to it. The eBPF
/// backend hands up all of UDP 67/68.
public struct RogueDHCPDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Trusted servers by MAC or server identifier (default none: learn).
        public var trusted: [TrustedSource] = []
        /// How long after the first DHCP server message servers are learned (default 600 s).
        public var learningWindow: Duration = .seconds(600)
        /// Quiet time after which a rogue server raises again (default 3600 s).
        public var quietPeriod: Duration = .seconds(3_600)
        /// Most servers learned or flagged (default 64; counted in `stateStatistics.dropped` when hit).
        public var maxServers: Int = 64
        public init() {}
    }

    public let name = "rogue_dhcp"
    public let inputs: StageInputs = [.observations]
    private let configuration: Configuration
    private var sources: TrustedSources
    private var rogues: RogueEpisodes

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        sources = TrustedSources(
            trusted: configuration.trusted, learningWindow: configuration.learningWindow,
            maxLearned: configuration.maxServers)
        rogues = RogueEpisodes(quietPeriod: configuration.quietPeriod, capacity: configuration.maxServers)
    }

    public mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {
        guard case .dhcpServer(let identifier, let type, _, _) = observation.fact, [2, 5, 6].contains(type) else {
            return
        }
        let mac = observation.mac, time = observation.time
        guard !sources.admit(mac, address: identifier.map { .v4($0) }, at: time, learning: context.learning) else {
            return
        }
        guard rogues.opens(mac, at: time) else { return }
        let message = [2: "OFFER", 5: "ACK", 6: "NAK"][Int(type)] ?? String(type)
        var details = ["message": message, "trusted": trustedText]
        if let identifier { details["server_id"] = identifier.description }
        let who = identifier.map { "\(mac) (\($0))" } ?? mac.description
        output.raise(
            AnomalyEvent(
                time: time, kind: .rogueDHCP, severity: .critical, mac: mac,
                summary: "rogue DHCP server \(who) sent \(message)", details: details,
                relatedMACs: Array(sources.learned.sorted().prefix(EventEvidence.relatedLimit))))
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: sources.learned.count + rogues.count, dropped: rogues.dropped &+ sources.dropped)
    }

    private var trustedText: String {
        sources.isConfigured
            ? EventEvidence.list(configuration.trusted.map(\.description)) : EventEvidence.list(sources.learned)
    }
}
