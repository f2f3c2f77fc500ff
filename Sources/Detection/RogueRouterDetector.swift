import LanscopeCore

/// Raises `rogue_ra` when an IPv6 router advertisement (RFC 4861 §4.2) comes from a router outside the
/// expected set: the configured `trusted` routers (by MAC) or, without a list, the routers learned
/// during the learning period or the first `learningWindow` after lanscope started watching (its first
/// tick or first RA, whichever comes first). Routers advertise unprompted (RFC 4861 §6.2.4, every
/// MaxRtrAdvInterval, default 600 s), so the LAN's own router shows within the window; on a LAN with
/// no IPv6 router at all the first RA appearing later is the classic rogue-RA attack, not a router to
/// learn. A router advertising less often than `learningWindow` belongs in `trusted`. **Critical** when the
/// RA offers itself as default router (router lifetime > 0: it can take every device's IPv6 traffic);
/// warning otherwise (prefix or option injection). One event per router per episode, again after
/// `quietPeriod` without RAs from it.
///
/// RAs are multicast to all nodes (ff02::1), so every capture mode sees them; the eBPF backend hands up
/// ICMPv6 133–136.
public struct RogueRouterDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Trusted routers by MAC or link-local address (default none: learn). Only MACs can be matched
        /// today (the RA fact carries no source address).
        public var trusted: [TrustedSource] = []
        /// How long after lanscope started watching (first tick or RA) routers are learned (default 600 s).
        public var learningWindow: Duration = .seconds(600)
        /// Quiet time after which a rogue router raises again (default 3600 s).
        public var quietPeriod: Duration = .seconds(3_600)
        /// Most routers learned or flagged (default 64; counted in `stateStatistics.dropped` when hit).
        public var maxRouters: Int = 64
        public init() {}
    }

    public let name = "rogue_ra"
    public let inputs: StageInputs = [.observations, .ticks]
    private let configuration: Configuration
    private var sources: TrustedSources
    private var rogues: RogueEpisodes

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        sources = TrustedSources(
            trusted: configuration.trusted, learningWindow: configuration.learningWindow,
            maxLearned: configuration.maxRouters)
        rogues = RogueEpisodes(quietPeriod: configuration.quietPeriod, capacity: configuration.maxRouters)
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        sources.watching(since: tick.time)
    }

    public mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {
        guard case .routerAdvertisement(let advertisement) = observation.fact else { return }
        let mac = observation.mac, time = observation.time
        guard !sources.admit(mac, address: nil, at: time, learning: context.learning) else { return }
        guard rogues.opens(mac, at: time) else { return }
        let defaultRouter = advertisement.routerLifetime > 0
        var details = [
            "router_lifetime_s": String(advertisement.routerLifetime),
            "managed": String(advertisement.managed), "other_config": String(advertisement.otherConfiguration),
        ]
        if !advertisement.prefixes.isEmpty { details["prefixes"] = EventEvidence.list(advertisement.prefixes) }
        let offers = defaultRouter ? "offering itself as default router" : "advertising without default route"
        let prefixes =
            advertisement.prefixes.isEmpty ? "" : " (\(EventEvidence.list(advertisement.prefixes, limit: 2)))"
        output.raise(
            AnomalyEvent(
                time: time, kind: .rogueRA, severity: defaultRouter ? .critical : .warning, mac: mac,
                summary: "rogue IPv6 router \(mac) \(offers)\(prefixes)", details: details,
                relatedMACs: Array(sources.learned.sorted().prefix(EventEvidence.relatedLimit))))
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: sources.learned.count + rogues.count, dropped: rogues.dropped &+ sources.dropped)
    }
}
