import LanscopeCore

/// Watches who holds each address (ARP, NDP, DHCP claims reported by the inventory as
/// `addressClaimed`) and raises:
/// - `arp_spoof` (warning) when an address's learned MAC changes without a reason — **critical** when
///   the address is the gateway's. Not raised when the change is explained: the new holder got the
///   address in a DHCP ACK (the server is authoritative: a device changing address, a lease moving to a
///   new MAC after the old one expired), the previous holder has been silent for
///   `previousHolderSilence` (a replaced device with a static address), the two MACs are one device
///   (a private MAC linked to the other, `Device.privateMACLink`), or the new holder is a trusted proxy
///   (a Bonjour sleep proxy, a Wi-Fi extender that answers ARP for its clients);
/// - `ip_conflict` (warning) when two MACs alternately claim one address: it moves from A to B and
///   back to A within `conflictWindow`; the event names the MAC that took it (B) and the other (A);
/// - `arp_spoof` (warning, `reason=gratuitous_storm`) when one MAC sends `gratuitousBurst` gratuitous
///   ARPs (sender IP = target IP) within `gratuitousWindow` — hosts send a handful at boot or failover.
///
/// The gateway: addresses configured in `gateways`, plus what the LAN itself advertises — the routers
/// every DHCP OFFER/ACK hands out (option 3), the server identifier and MAC of every DHCP server that is
/// not a server beside the router (home routers are their own DHCP server; `DHCPServerRole.separate` is
/// not), and the MAC of every IPv6 router (RA with a non-zero router lifetime).
///
/// During the pipeline's learning period bindings are learned and nothing is raised. Each (address,
/// MAC, kind) raises at most once per `realertAfter`.
public struct AddressBindingDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Gateway addresses (default none: learned from DHCP replies, their routers and server identifiers).
        public var gateways: Set<IPAddress> = []
        /// MACs allowed to answer for others' addresses: sleep proxies, Wi-Fi extenders (default none).
        public var trustedProxies: Set<MACAddress> = []
        /// A previous holder silent this long has left the address (default 600 s).
        public var previousHolderSilence: Duration = .seconds(600)
        /// An address moving away and back within this time is a conflict (default 300 s).
        public var conflictWindow: Duration = .seconds(300)
        /// Gratuitous ARPs from one MAC within `gratuitousWindow` that make a storm (default 20).
        public var gratuitousBurst: Int = 20
        /// Window for counting gratuitous ARPs (default 10 s).
        public var gratuitousWindow: Duration = .seconds(10)
        /// The same (address, MAC, kind) raises again only after this long (default 1800 s).
        public var realertAfter: Duration = .seconds(1_800)
        /// Most addresses tracked for leases and moves, and most gratuitous senders (default 65536);
        /// further entries are not tracked (counted in `stateStatistics.dropped`).
        public var maxEntries: Int = 65_536
        public init() {}
    }

    struct Move: Sendable {
        var from: MACAddress
        var to: MACAddress
        var time: Timestamp
        /// The holder before this run of back-and-forth moves began, and when it began.
        var original: MACAddress
        var firstTime: Timestamp
    }

    struct AlertKey: Hashable, Sendable {
        var address: IPAddress
        var mac: MACAddress
        var kind: AnomalyKind
    }

    struct Burst: Sendable {
        var windowStart: Timestamp
        var count: Int
        var latch: EpisodeLatch
    }

    public let name = "address_binding"
    public let inputs: StageInputs = [.arpFrames, .observations, .changes, .ticks]
    private let configuration: Configuration
    /// The newest DHCP ACK per address: who the server gave it to.
    private var leases: [IPAddress: MACAddress] = [:]
    /// The last holder change per address.
    private var moves: [IPAddress: Move] = [:]
    private var alerted: [AlertKey: Timestamp] = [:]
    private var bursts: [MACAddress: Burst] = [:]
    private var learnedGatewayAddresses: Set<IPAddress> = []
    private var gatewayMACs: Set<MACAddress> = []
    /// Time of the DHCP ACK whose frame is being delivered (its client address follows it).
    private var ackTime: Timestamp?
    private var dropped: UInt64 = 0
    /// Most gateway addresses and MACs learned from the LAN.
    private static let maxGateways = 16

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {
        switch observation.fact {
        case .dhcpServer(let identifier, let type, let role, let routers):
            ackTime = type == 5 ? observation.time : nil
            if type == 2 || type == 5 {
                // The routers the server hands out are the gateway. A server that hands out another device
                // (a Pi-hole, a server beside the router) is not itself the gateway.
                for router in routers where learnedGatewayAddresses.count < Self.maxGateways {
                    learnedGatewayAddresses.insert(.v4(router))
                }
                guard role != .separate else { break }
                if gatewayMACs.count < Self.maxGateways { gatewayMACs.insert(observation.mac) }
                if let identifier, learnedGatewayAddresses.count < Self.maxGateways {
                    learnedGatewayAddresses.insert(.v4(identifier))
                }
            }
        case .address(let address, .dhcp) where ackTime == observation.time:
            ackTime = nil
            if leases[address] != nil || leases.count < configuration.maxEntries {
                leases[address] = observation.mac
            } else {
                dropped &+= 1
            }
        case .routerAdvertisement(let advertisement) where advertisement.routerLifetime > 0:
            if gatewayMACs.count < Self.maxGateways { gatewayMACs.insert(observation.mac) }
        default:
            break
        }
    }

    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        guard case .addressClaimed(let address, let new, let old, let time) = change, let old else { return }
        let previousMove = moves[address]
        let continuing = previousMove.map { $0.to == old && time - $0.time <= configuration.conflictWindow } ?? false
        let original = continuing ? previousMove!.original : old
        let firstTime = continuing ? previousMove!.firstTime : time
        if previousMove != nil || moves.count < configuration.maxEntries {
            moves[address] = Move(from: old, to: new, time: time, original: original, firstTime: firstTime)
        } else {
            dropped &+= 1
        }
        guard !context.learning else { return }
        if continuing, previousMove!.from == new {
            // It went new → old and now back within the window: both are using it. The one that took it
            // is whichever did not hold it before the back-and-forth began.
            let taker = new == original ? old : new
            guard !configuration.trustedProxies.contains(taker) else { return }
            raiseOnce(
                conflictEvent(address, taker: taker, other: taker == new ? old : new, firstMove: firstTime),
                address: address, at: time, output: &output)
            return
        }
        guard !configuration.trustedProxies.contains(new) else { return }
        guard !explained(address, new: new, old: old, at: time, context: context) else { return }
        raiseOnce(
            spoofEvent(address, new: new, old: old, at: time, context: context), address: address, at: time,
            output: &output)
    }

    public mutating func frame(
        _ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput
    ) {
        guard frame.arpOperation != 0, let sender = frame.arpSenderIP, sender == frame.arpTargetIP,
            !sender.isUnspecified
        else { return }
        let mac = frame.source
        if bursts[mac] == nil {
            guard bursts.count < configuration.maxEntries else {
                dropped &+= 1
                return
            }
            bursts[mac] = Burst(windowStart: time, count: 0, latch: EpisodeLatch(lastActivity: time))
        }
        var burst = bursts[mac]!
        let open = burst.latch.isOpen(at: time, quietPeriod: configuration.gratuitousWindow * 6)
        if time - burst.windowStart > configuration.gratuitousWindow {
            burst.windowStart = time
            burst.count = 0
        }
        if burst.latch.raisedAt != nil && !open { burst.latch.raisedAt = nil }
        burst.count += 1
        burst.latch.lastActivity = time
        if burst.count >= configuration.gratuitousBurst && burst.latch.raisedAt == nil {
            burst.latch.raisedAt = time
            output.raise(
                AnomalyEvent(
                    time: burst.windowStart, kind: .arpSpoof, severity: .warning, mac: mac,
                    summary:
                        "gratuitous ARP storm from \(mac): \(burst.count) announcements of \(sender) within \(EventEvidence.seconds(configuration.gratuitousWindow)) s",
                    details: [
                        "reason": "gratuitous_storm", "ip": sender.description, "count": String(burst.count),
                        "window_s": EventEvidence.seconds(configuration.gratuitousWindow),
                    ]))
        }
        bursts[mac] = burst
    }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        let quiet = configuration.gratuitousWindow * 6
        bursts = bursts.filter { tick.time - $0.value.latch.lastActivity <= quiet }
        alerted = alerted.filter { tick.time - $0.value < configuration.realertAfter }
        moves = moves.filter { tick.time - $0.value.time <= configuration.conflictWindow }
    }

    public var stateStatistics: StageStateStatistics {
        StageStateStatistics(entries: leases.count + moves.count + alerted.count + bursts.count, dropped: dropped)
    }

    private func isGateway(_ address: IPAddress, previous: MACAddress) -> Bool {
        configuration.gateways.contains(address) || learnedGatewayAddresses.contains(address)
            || gatewayMACs.contains(previous)
    }

    /// Whether the move has an innocent explanation (see the type's documentation).
    private func explained(
        _ address: IPAddress, new: MACAddress, old: MACAddress, at time: Timestamp,
        context: StageContext
    ) -> Bool {
        if leases[address] == new { return true }
        guard let previous = context.inventory.identity(old),
            time - previous.lastSeen < configuration.previousHolderSilence
        else { return true }
        let claimant = context.inventory.identity(new)
        if let link = claimant?.privateMACLink?.mac, link == old || link == previous.privateMACLink?.mac { return true }
        if previous.privateMACLink?.mac == new { return true }
        return false
    }

    private mutating func raiseOnce(
        _ event: AnomalyEvent, address: IPAddress, at time: Timestamp, output: inout StageOutput
    ) {
        guard let mac = event.mac else { return }
        let key = AlertKey(address: address, mac: mac, kind: event.kind)
        if let last = alerted[key], time - last < configuration.realertAfter { return }
        if alerted[key] == nil && alerted.count >= configuration.maxEntries {
            dropped &+= 1
            return
        }
        alerted[key] = time
        output.raise(event)
    }

    private func spoofEvent(
        _ address: IPAddress, new: MACAddress, old: MACAddress, at time: Timestamp,
        context: StageContext
    ) -> AnomalyEvent {
        let gateway = isGateway(address, previous: old)
        var details = ["ip": address.description, "previous_mac": old.description, "reason": "binding_changed"]
        if gateway { details["gateway"] = "true" }
        if let seen = context.inventory.identity(old)?.lastSeen { details["previous_last_seen"] = seen.rfc3339 }
        let what = gateway ? "gateway \(address)" : address.description
        return AnomalyEvent(
            time: time, kind: .arpSpoof, severity: gateway ? .critical : .warning, mac: new,
            summary: "\(what) moved from \(old) to \(new) without DHCP", details: details,
            relatedMACs: [old])
    }

    private func conflictEvent(_ address: IPAddress, taker: MACAddress, other: MACAddress, firstMove: Timestamp)
        -> AnomalyEvent
    {
        AnomalyEvent(
            time: firstMove, kind: .ipConflict, severity: .warning, mac: taker,
            summary: "\(address) claimed alternately by \(taker) and \(other)",
            details: [
                "ip": address.description, "other_mac": other.description,
                "window_s": EventEvidence.seconds(configuration.conflictWindow),
            ],
            relatedMACs: [other])
    }
}
