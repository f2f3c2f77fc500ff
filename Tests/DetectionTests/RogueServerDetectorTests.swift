import LanscopeCore
import Testing

@testable import Detection

@Suite struct RogueDHCPDetectorTests {
    let server = Sample.mac(0x01)
    let rogue = Sample.mac(0x66)

    func offer(from mac: MACAddress, id: UInt8, type: UInt8 = 2, at seconds: Double) -> Observation {
        Observation(
            mac: mac, time: Sample.at(seconds), fact: .dhcpServer(serverIdentifier: Sample.ipv4(id), messageType: type))
    }

    @Test func rogueDHCP_learnsServers_withinTheLearningWindow_thenRaises() throws {
        var h = Harness(RogueDHCPDetector())
        h.observe(offer(from: server, id: 1, at: 0))
        h.observe(offer(from: Sample.mac(0x02), id: 2, at: 600))  // a second, legitimate server: learned
        let events = h.observe(offer(from: rogue, id: 66, at: 600.001))
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.kind == .rogueDHCP)
        #expect(event.severity == .critical)
        #expect(event.mac == rogue)
        #expect(event.details["server_id"] == "192.168.1.66")
        #expect(event.details["message"] == "OFFER")
        #expect(event.relatedMACs == [server, Sample.mac(0x02)])
    }

    /// DHCP renewals: the known server ACKs over and over.
    @Test func rogueDHCP_staysQuiet_forRenewalsFromTheKnownServer() {
        var h = Harness(RogueDHCPDetector())
        for i in 0..<200 { h.observe(offer(from: server, id: 1, type: 5, at: Double(i) * 1800)) }
        #expect(h.events.isEmpty)
    }

    @Test func rogueDHCP_raisesOncePerEpisode_andAgainAfterQuiet() {
        var h = Harness(RogueDHCPDetector())
        h.observe(offer(from: server, id: 1, at: 0))
        for i in 0..<10 { h.observe(offer(from: rogue, id: 66, type: 5, at: 1000 + Double(i) * 60)) }
        #expect(h.events.count == 1)
        h.observe(offer(from: rogue, id: 66, at: 1540 + 3600.001))
        #expect(h.events.count == 2)
    }

    @Test func rogueDHCP_trustsOnlyTheConfiguredList() {
        var configuration = RogueDHCPDetector.Configuration()
        configuration.trusted = [.ip(Sample.ip(1)), .mac(Sample.mac(0x02))]
        var h = Harness(RogueDHCPDetector(configuration: configuration))
        h.observe(offer(from: server, id: 1, at: 0))  // trusted by address
        h.observe(offer(from: Sample.mac(0x02), id: 2, at: 0))  // trusted by MAC
        h.observe(offer(from: rogue, id: 66, at: 0))  // in what would be the learning window
        #expect(h.events.map(\.mac) == [rogue])
    }

    @Test func rogueDHCP_learnsEverythingWhileTheServiceLearns() {
        var h = Harness(RogueDHCPDetector())
        h.learning = true
        h.observe(offer(from: server, id: 1, at: 0))
        h.observe(offer(from: Sample.mac(0x02), id: 2, at: 5000))
        h.learning = false
        h.observe(offer(from: Sample.mac(0x02), id: 2, at: 6000))
        #expect(h.events.isEmpty)
    }

    @Test func rogueDHCP_ignoresClientMessageTypes() {
        var h = Harness(RogueDHCPDetector())
        h.observe(offer(from: server, id: 1, at: 0))
        h.observe(offer(from: rogue, id: 66, type: 3, at: 1000))
        #expect(h.events.isEmpty)
    }
}

@Suite struct RogueRouterDetectorTests {
    let router = Sample.mac(0x01)
    let rogue = Sample.mac(0x66)

    func advertisement(from mac: MACAddress, lifetime: UInt16 = 1800, at seconds: Double) -> Observation {
        Observation(
            mac: mac, time: Sample.at(seconds),
            fact: .routerAdvertisement(RouterAdvertisement(routerLifetime: lifetime, prefixes: ["2001:db8:66::/64"])))
    }

    @Test func rogueRA_isCritical_forAnUnexpectedDefaultRouter() throws {
        var h = Harness(RogueRouterDetector())
        h.observe(advertisement(from: router, at: 0))
        #expect(h.observe(advertisement(from: rogue, at: 599)).isEmpty)  // still learning
        let event = try #require(h.observe(advertisement(from: Sample.mac(0x67), at: 600.5)).first)
        #expect(event.kind == .rogueRA)
        #expect(event.severity == .critical)
        #expect(event.mac == Sample.mac(0x67))
        #expect(event.details["prefixes"] == "2001:db8:66::/64")
        #expect(event.details["router_lifetime_s"] == "1800")
    }

    @Test func rogueRA_isAWarning_withoutARouterLifetime() {
        var configuration = RogueRouterDetector.Configuration()
        configuration.trusted = [.mac(router)]
        var h = Harness(RogueRouterDetector(configuration: configuration))
        h.observe(advertisement(from: router, at: 0))
        h.observe(advertisement(from: rogue, lifetime: 0, at: 1))
        #expect(h.events.map(\.severity) == [.warning])
    }

    /// A LAN without IPv6 routers: the first RA, from the attacker (end-to-end DetectionTests, scapy),
    /// comes after the window that began with lanscope's first tick, so it is not learned.
    @Test func rogueRA_raises_forTheFirstRouterEver_afterTheWindowSinceTheStart() {
        for (seconds, expected) in [(600.0, 0), (600.5, 1)] {
            var h = Harness(RogueRouterDetector())
            h.tick(at: Sample.at(0))
            let events = h.observe(advertisement(from: rogue, at: seconds))
            #expect(events.map(\.mac) == Array(repeating: rogue, count: expected), "RA at \(seconds) s")
        }
    }

    /// The LAN's own router re-advertising every few minutes (RFC 4861 MaxRtrAdvInterval) never raises.
    @Test func rogueRA_staysQuiet_forTheLearnedRouter() {
        var h = Harness(RogueRouterDetector())
        for i in 0..<500 { h.observe(advertisement(from: router, at: Double(i) * 200)) }
        #expect(h.events.isEmpty)
    }
}
