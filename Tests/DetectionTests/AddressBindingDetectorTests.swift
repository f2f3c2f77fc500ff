import LanscopeCore
import Testing

@testable import Detection

@Suite struct AddressBindingDetectorTests {
    let router = Sample.mac(0x01)
    let host = Sample.mac(0x10)
    let attacker = Sample.mac(0x66)
    let address = Sample.ip(10)

    /// A harness where `router` is the DHCP server (and so the learned gateway) and `host` holds
    /// 192.168.1.10, both heard at time 0.
    func lan() -> Harness<AddressBindingDetector> {
        var h = Harness(AddressBindingDetector())
        h.inventory.add(router, firstSeen: Sample.at(0))
        h.inventory.add(host, firstSeen: Sample.at(0))
        h.inventory.add(attacker, firstSeen: Sample.at(0))
        h.observe(
            Observation(
                mac: router, time: Sample.at(0), fact: .dhcpServer(serverIdentifier: Sample.ipv4(1), messageType: 2)))
        return h
    }

    @Test func arpSpoof_raisesWarning_whenABindingMovesWithoutDHCP() throws {
        var h = lan()
        let events = h.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(30)))
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.kind == .arpSpoof)
        #expect(event.severity == .warning)
        #expect(event.mac == attacker)
        #expect(event.relatedMACs == [host])
        #expect(event.details["ip"] == "192.168.1.10")
        #expect(event.details["previous_mac"] == host.description)
    }

    @Test func arpSpoof_isCritical_forTheGatewayAddress() throws {
        var h = lan()
        let event = try #require(
            h.change(.addressClaimed(Sample.ip(1), by: attacker, previousHolder: router, time: Sample.at(30))).first)
        #expect(event.severity == .critical)
        #expect(event.details["gateway"] == "true")
        #expect(event.summary == "gateway 192.168.1.1 moved from \(router) to \(attacker) without DHCP")
    }

    /// A DHCP server beside the router (a Pi-hole) hands out the router: the router's address is the gateway,
    /// learned without configuration, and the Pi-hole's own address is an ordinary one.
    @Test func arpSpoof_isCritical_forTheRouterADHCPServerBesideItHandsOut() throws {
        let piHole = Sample.mac(0x02)
        var h = Harness(AddressBindingDetector())
        for mac in [router, piHole, host, attacker] { h.inventory.add(mac, firstSeen: Sample.at(0)) }
        h.observe(
            Observation(
                mac: piHole, time: Sample.at(0),
                fact: .dhcpServer(
                    serverIdentifier: Sample.ipv4(2), messageType: 5, role: .separate, routers: [Sample.ipv4(1)])))
        let spoofed = try #require(
            h.change(.addressClaimed(Sample.ip(1), by: attacker, previousHolder: router, time: Sample.at(30))).first)
        #expect(spoofed.severity == .critical)
        #expect(spoofed.details["gateway"] == "true")
        let other = try #require(
            h.change(.addressClaimed(Sample.ip(2), by: attacker, previousHolder: piHole, time: Sample.at(31))).first)
        #expect(other.severity == .warning)
        #expect(other.details["gateway"] == nil)
    }

    @Test func arpSpoof_isCritical_forAConfiguredGateway() {
        var configuration = AddressBindingDetector.Configuration()
        configuration.gateways = [Sample.ip(254)]
        var h = Harness(AddressBindingDetector(configuration: configuration))
        h.inventory.add(host, firstSeen: Sample.at(0))
        let events = h.change(.addressClaimed(Sample.ip(254), by: attacker, previousHolder: host, time: Sample.at(1)))
        #expect(events.map(\.severity) == [.critical])
    }

    /// A device changing IP by DHCP, or a lease moving to a new MAC: the ACK explains the move.
    @Test func arpSpoof_staysQuiet_whenTheDHCPServerAcknowledgedTheNewHolder() {
        var h = lan()
        let time = Sample.at(30)
        h.observe(
            Observation(mac: router, time: time, fact: .dhcpServer(serverIdentifier: Sample.ipv4(1), messageType: 5)))
        h.observe(Observation(mac: attacker, time: time, fact: .address(address, via: .dhcp)))
        #expect(h.change(.addressClaimed(address, by: attacker, previousHolder: host, time: time)).isEmpty)
    }

    /// A DHCP REQUEST's client address (not an ACK) proves nothing.
    @Test func arpSpoof_raises_whenOnlyTheClientClaimedTheAddressByDHCP() {
        var h = lan()
        let time = Sample.at(30)
        h.observe(Observation(mac: attacker, time: time, fact: .address(address, via: .dhcp)))
        #expect(h.change(.addressClaimed(address, by: attacker, previousHolder: host, time: time)).count == 1)
    }

    @Test func arpSpoof_previousHolderSilence_boundaries() {
        var quiet = lan()
        #expect(
            quiet.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(600))).isEmpty)
        var recent = lan()
        #expect(
            recent.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(599.999))).count
                == 1)
    }

    /// A phone rotating its private MAC keeps its address: the new MAC is linked to the old one.
    @Test func arpSpoof_staysQuiet_forALinkedPrivateMAC() {
        var h = lan()
        let rotated = Sample.mac(0x11, local: true)
        var device = Device(mac: rotated, firstSeen: Sample.at(20), lastSeen: Sample.at(20))
        device.privateMACLink = PrivateMACLink(mac: host, confidence: 0.9, evidence: [])
        h.inventory.devices[rotated] = device
        #expect(h.change(.addressClaimed(address, by: rotated, previousHolder: host, time: Sample.at(30))).isEmpty)
    }

    @Test func arpSpoof_staysQuiet_whileLearning_andForTrustedProxies() {
        var h = lan()
        h.learning = true
        #expect(h.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(30))).isEmpty)
        var configuration = AddressBindingDetector.Configuration()
        configuration.trustedProxies = [attacker]
        var proxied = Harness(AddressBindingDetector(configuration: configuration))
        proxied.inventory.add(host, firstSeen: Sample.at(0))
        #expect(
            proxied.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(30))).isEmpty)
    }

    /// The gateway attack: the attacker answers for the gateway, the gateway answers again, and so on.
    @Test func ipConflict_namesTheTaker_acrossBackAndForth() throws {
        var h = lan()
        let gatewayIP = Sample.ip(1)
        h.change(.addressClaimed(gatewayIP, by: attacker, previousHolder: router, time: Sample.at(10)))
        h.change(.addressClaimed(gatewayIP, by: router, previousHolder: attacker, time: Sample.at(12)))
        h.change(.addressClaimed(gatewayIP, by: attacker, previousHolder: router, time: Sample.at(14)))
        h.change(.addressClaimed(gatewayIP, by: router, previousHolder: attacker, time: Sample.at(16)))
        #expect(h.events.map(\.kind) == [.arpSpoof, .ipConflict])
        let conflict = try #require(h.events.last)
        #expect(conflict.mac == attacker)
        #expect(conflict.relatedMACs == [router])
        #expect(conflict.time == Sample.at(10))
        #expect(h.events.first?.severity == .critical)
    }

    @Test func ipConflict_window_boundaries() {
        var inside = lan()
        inside.learning = true  // learn the first move silently
        inside.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(10)))
        inside.learning = false
        #expect(
            inside.change(.addressClaimed(address, by: host, previousHolder: attacker, time: Sample.at(310))).map(
                \.kind) == [.ipConflict])

        var outside = lan()
        outside.learning = true
        outside.change(.addressClaimed(address, by: attacker, previousHolder: host, time: Sample.at(10)))
        outside.learning = false
        let late = outside.change(
            .addressClaimed(address, by: host, previousHolder: attacker, time: Sample.at(310.001)))
        #expect(!late.contains { $0.kind == .ipConflict })
    }

    @Test func gratuitousStorm_boundaries() {
        for (count, expected) in [(19, 0), (20, 1)] {
            var h = Harness(AddressBindingDetector())
            for i in 0..<count {
                h.frame(
                    Sample.arp(from: attacker, operation: 2, sender: Sample.ipv4(1), target: Sample.ipv4(1)),
                    at: Sample.at(Double(i) * 0.5))
            }
            #expect(h.events.count == expected, "count \(count)")
            #expect(h.events.first.map { $0.details["reason"] == "gratuitous_storm" && $0.mac == attacker } ?? true)
        }
    }

    /// A VRRP failover or a boot: a few gratuitous ARPs, again a minute later.
    @Test func gratuitousStorm_staysQuiet_forBootAnnouncements() {
        var h = Harness(AddressBindingDetector())
        for round in 0..<10 {
            for i in 0..<5 {
                h.frame(
                    Sample.arp(from: host, sender: Sample.ipv4(10), target: Sample.ipv4(10)),
                    at: Sample.at(Double(round) * 60 + Double(i)))
            }
        }
        #expect(h.events.isEmpty)
    }
}
