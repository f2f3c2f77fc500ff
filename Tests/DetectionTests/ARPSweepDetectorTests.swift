import LanscopeCore
import Testing

@testable import Detection

@Suite struct ARPSweepDetectorTests {
    let sweeper = Sample.mac(0x66)
    let gateway = Sample.mac(0x01)

    /// Who-has from `mac` for 192.168.1.(first...) one every 0.1 s from `start`.
    func sweep(
        _ h: inout Harness<ARPSweepDetector>, from mac: MACAddress, targets: ClosedRange<UInt8>, start: Double = 0,
        destination: MACAddress = .broadcast
    ) {
        for (i, last) in targets.enumerated() {
            h.frame(
                Sample.arp(from: mac, sender: Sample.ipv4(66), target: Sample.ipv4(last), to: destination),
                at: Sample.at(start + Double(i) * 0.1))
        }
    }

    @Test func arpSweep_boundaries() throws {
        var under = Harness(ARPSweepDetector())
        sweep(&under, from: sweeper, targets: 100...130)
        #expect(under.events.isEmpty)

        var at = Harness(ARPSweepDetector())
        sweep(&at, from: sweeper, targets: 100...131)
        let event = try #require(at.events.first)
        #expect(at.events.count == 1)
        #expect(event.kind == .arpSweep)
        #expect(event.mac == sweeper)
        #expect(event.details["targets"] == "32")
        #expect(event.details["range"] == "192.168.1.100-192.168.1.131")
        #expect(event.details["sender_ip"] == "192.168.1.66")
    }

    @Test func arpSweep_raisesOncePerEpisode() {
        var h = Harness(ARPSweepDetector())
        sweep(&h, from: sweeper, targets: 1...254)
        #expect(h.events.count == 1)
    }

    /// A busy gateway re-resolving the hosts it talks to: they are all in the inventory.
    @Test func arpSweep_ignoresAddressesTheInventoryHolds() {
        var h = Harness(ARPSweepDetector())
        for last in UInt8(2)...UInt8(200) { h.inventory.holders[Sample.ip(last)] = Sample.mac(last) }
        sweep(&h, from: gateway, targets: 2...200)
        #expect(h.events.isEmpty)
    }

    @Test func arpSweep_ignoresUnicastRevalidation() {
        var h = Harness(ARPSweepDetector())
        sweep(&h, from: gateway, targets: 2...200, destination: Sample.mac(0x50))
        #expect(h.events.isEmpty)
    }

    @Test func arpSweep_ignoresGratuitousAndProbes() {
        var h = Harness(ARPSweepDetector())
        for last in UInt8(2)...UInt8(100) {
            h.frame(
                Sample.arp(from: Sample.mac(last), sender: Sample.ipv4(last), target: Sample.ipv4(last)),
                at: Sample.at(0))
            h.frame(Sample.arp(from: sweeper, sender: IPv4Address.any, target: Sample.ipv4(last)), at: Sample.at(1))
        }
        #expect(h.events.isEmpty)
    }

    @Test func arpSweep_countsOnlyWithinTheWindow() {
        var h = Harness(ARPSweepDetector())
        sweep(&h, from: sweeper, targets: 1...20)
        sweep(&h, from: sweeper, targets: 101...120, start: 62)
        #expect(h.events.isEmpty)
    }

    /// Spoofed senders asking for one address each fill the sender table many times over while a real
    /// sweep runs: the sweeper holds more targets than any of them, stays, and is raised.
    @Test func arpSweep_raisesTheSweeper_behindAFloodOfOneRequestSenders() {
        var h = Harness(ARPSweepDetector())
        for i in 0..<5_000 {
            let spoofed = MACAddress(0x02, 0x00, 0x00, 0x00, UInt8(i >> 8), UInt8(i & 0xFF))
            let time = Sample.at(Double(i) * 0.005)
            h.frame(
                Sample.arp(
                    from: spoofed, sender: IPv4Address(10, 9, UInt8(i >> 8), UInt8(i & 0xFF)),
                    target: IPv4Address(10, 8, UInt8(i >> 8), UInt8(i & 0xFF))), at: time)
            if i % 100 == 0 {
                h.frame(
                    Sample.arp(from: sweeper, sender: Sample.ipv4(66), target: Sample.ipv4(UInt8(100 + i / 100))),
                    at: time)
            }
        }
        #expect(h.events.map(\.mac) == [sweeper])
        #expect(h.stage.stateStatistics.dropped > 3_000)
    }
}
