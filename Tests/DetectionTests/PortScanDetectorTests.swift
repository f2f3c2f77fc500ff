import LanscopeCore
import Testing

@testable import Detection

@Suite struct PortScanDetectorTests {
    let scanner = Sample.mac(0x66)
    let scannerIP = Sample.ip(66)
    let victim = Sample.mac(0x05)
    let victimIP = Sample.ip(5)
    let gateway = Sample.mac(0x01)

    /// SYNs from the scanner to `count` ports of the victim, 10 ms apart, from `start` seconds.
    func verticalScan(_ h: inout Harness<PortScanDetector>, ports: ClosedRange<UInt16>, start: Double = 0) {
        for (i, port) in ports.enumerated() {
            h.frame(
                Sample.tcp(from: scanner, scannerIP, to: victim, victimIP, port: port, flags: Sample.syn),
                at: Sample.at(start + Double(i) * 0.01))
        }
    }

    @Test func portScan_staysQuiet_justUnderTheVerticalThreshold() {
        var h = Harness(PortScanDetector())
        verticalScan(&h, ports: 1...49)
        h.tick(at: Sample.at(10))
        #expect(h.events.isEmpty)
    }

    @Test func portScan_raisesVertical_atTheThreshold_namingScannerTargetAndPorts() throws {
        var h = Harness(PortScanDetector())
        verticalScan(&h, ports: 1...50)
        let event = try #require(h.events.first)
        #expect(h.events.count == 1)
        #expect(event.kind == .portScan)
        #expect(event.severity == .warning)
        #expect(event.mac == scanner)
        #expect(event.relatedMACs == [victim])
        #expect(event.details["scan"] == "vertical")
        #expect(event.details["ports"] == "50")
        #expect(event.details["targets"] == "1")
        #expect(event.details["target_list"] == "192.168.1.5")
        #expect(event.details["scanner_ip"] == "192.168.1.66")
        #expect(event.time == Sample.at(0))
        #expect(event.summary == "port scan by 00:11:22:33:44:66 (192.168.1.66): 50 ports on 192.168.1.5")
    }

    @Test func portScan_raisesOncePerEpisode_andAgainAfterQuiet() {
        var h = Harness(PortScanDetector())
        verticalScan(&h, ports: 1...1000)
        h.tick(at: Sample.at(20))
        #expect(h.events.count == 1)
        // Scanning again 299 s after the last SYN is the same episode.
        verticalScan(&h, ports: 2000...2100, start: 10 + 299)
        #expect(h.events.count == 1)
        // More than the quiet period after that: the first episode closes with its totals, a new one opens.
        verticalScan(&h, ports: 3000...3100, start: 311 + 301)
        #expect(h.events.map(\.isClosing) == [false, true, false])
        let closing = h.events[1]
        #expect(closing.time == h.events[0].time)
        #expect(closing.endTime == Sample.at(309 + 1))
        #expect(closing.details["ports"] == "1101")
        #expect(closing.details["syns"] == "1101")
        #expect(closing.details["targets"] == "1")
        #expect(closing.details["port_list"] == "1,2,3,4,5,6,7,8 (+1093 more)")
        #expect(closing.summary == "port scan by \(scanner) (192.168.1.66) over: 1101 ports on 1 hosts in 310 s")
    }

    /// A replay ends in the middle of the quiet period: the final tick closes the scan with its totals.
    @Test func portScan_closesAtTheFinalTick() {
        var h = Harness(PortScanDetector())
        verticalScan(&h, ports: 1...1000)
        #expect(h.events.count == 1)
        #expect(h.events[0].details["ports"] == "50")  // the count when the threshold was crossed
        h.tick(at: Sample.at(12), final: true)
        #expect(h.events.count == 2)
        #expect(h.events.last?.details["ports"] == "1000")
        #expect(h.events.last?.endTime == Sample.at(9.99))
    }

    @Test func portScan_forgetsProbesOlderThanTheWindow() {
        var h = Harness(PortScanDetector())
        verticalScan(&h, ports: 1...30)
        // 30 more ports more than 60 s later: never 50 within one window.
        verticalScan(&h, ports: 100...129, start: 61)
        #expect(h.events.isEmpty)
    }

    @Test func portScan_horizontal_boundaries() {
        for (hosts, expected) in [(23, 0), (24, 1)] {
            var h = Harness(PortScanDetector())
            for i in 0..<hosts {
                h.frame(
                    Sample.tcp(
                        from: scanner, scannerIP, to: Sample.mac(UInt8(100 + i)), Sample.ip(UInt8(100 + i)), port: 22,
                        flags: Sample.syn), at: Sample.at(Double(i)))
            }
            #expect(h.events.count == expected, "hosts \(hosts)")
            if expected == 1 {
                #expect(h.events.first?.details["scan"] == "horizontal")
                #expect(h.events.first?.relatedMACs.count == 16)
            }
        }
    }

    /// A browser opening connections to many Internet servers: all go to the gateway's MAC.
    @Test func portScan_staysQuiet_forManyServersBehindTheGateway() {
        var h = Harness(PortScanDetector())
        for i in 0..<200 {
            let server = IPAddress.v4(IPv4Address(93, 184, UInt8(i / 200), UInt8(i % 200)))
            h.frame(
                Sample.tcp(
                    from: scanner, scannerIP, sourcePort: UInt16(40_000 + i), to: gateway, server, port: 443,
                    flags: Sample.syn),
                at: Sample.at(Double(i) * 0.1))
            h.frame(
                Sample.tcp(
                    from: gateway, server, sourcePort: 443, to: scanner, scannerIP, port: UInt16(40_000 + i),
                    flags: Sample.synAck),
                at: Sample.at(Double(i) * 0.1 + 0.02))
        }
        h.tick(at: Sample.at(30))
        #expect(h.events.isEmpty)
    }

    @Test func portScan_failedHandshakes_refusedByRST_boundaries() {
        for (probes, expected) in [(19, 0), (20, 1)] {
            var h = Harness(PortScanDetector())
            for i in 0..<probes {
                let target = Sample.mac(UInt8(100 + i)), ip = Sample.ip(UInt8(100 + i))
                let port = UInt16(1000 + i)
                h.inventory.holders[ip] = target
                h.frame(
                    Sample.tcp(from: scanner, scannerIP, to: target, ip, port: port, flags: Sample.syn),
                    at: Sample.at(Double(i)))
                h.frame(
                    Sample.tcp(
                        from: target, ip, sourcePort: port, to: scanner, scannerIP, port: 40_000, flags: Sample.rstAck),
                    at: Sample.at(Double(i) + 0.001))
            }
            #expect(h.events.count == expected, "probes \(probes)")
            #expect(h.events.first.map { $0.details["scan"] == "failed_handshakes" } ?? true)
        }
    }

    @Test func portScan_unansweredSYNs_countAfterTheHandshakeTimeout_whenAnswersAreVisible() {
        var h = Harness(PortScanDetector())
        // One refused connection (off-link, so not itself a failed probe) shows that answers are visible.
        h.frame(
            Sample.tcp(
                from: scanner, scannerIP, to: gateway, .v4(IPv4Address(1, 1, 1, 1)), port: 443, flags: Sample.syn),
            at: Sample.at(0))
        h.frame(
            Sample.tcp(
                from: gateway, .v4(IPv4Address(1, 1, 1, 1)), sourcePort: 443, to: scanner, scannerIP, port: 40_000,
                flags: Sample.rstAck),
            at: Sample.at(0.01))
        for i in 0..<20 { h.inventory.holders[Sample.ip(UInt8(100 + i))] = Sample.mac(UInt8(100 + i)) }
        for i in 0..<20 {
            h.frame(
                Sample.tcp(
                    from: scanner, scannerIP, to: Sample.mac(UInt8(100 + i)), Sample.ip(UInt8(100 + i)),
                    port: UInt16(2000 + i),
                    flags: Sample.syn), at: Sample.at(1))
        }
        #expect(h.tick(at: Sample.at(4)).isEmpty)  // exactly the timeout: not yet unanswered
        let events = h.tick(at: Sample.at(4.001))
        #expect(events.map(\.details["scan"]) == ["failed_handshakes"])
    }

    /// eBPF mode hands up SYNs and SYN-ACKs within a rate limit, and never an RST: a SYN-ACK seen must not
    /// make the SYNs whose answers were not handed up count as unanswered.
    @Test func portScan_unansweredSYNs_doNotCount_whenOnlySYNACKsWereSeen() {
        var h = Harness(PortScanDetector())
        for i in 0..<21 { h.inventory.holders[Sample.ip(UInt8(100 + i))] = Sample.mac(UInt8(100 + i)) }
        // A client opening 21 connections on the LAN (under the horizontal threshold); one SYN-ACK got
        // through the limit, so 20 probes — the failed-handshake threshold — have no answer in sight.
        for i in 0..<21 {
            h.frame(
                Sample.tcp(
                    from: scanner, scannerIP, to: Sample.mac(UInt8(100 + i)), Sample.ip(UInt8(100 + i)),
                    port: 443, flags: Sample.syn), at: Sample.at(1))
        }
        h.frame(
            Sample.tcp(
                from: Sample.mac(100), Sample.ip(100), sourcePort: 443, to: scanner, scannerIP, port: 40_000,
                flags: Sample.synAck),
            at: Sample.at(1.01))
        h.tick(at: Sample.at(10))
        #expect(h.events.isEmpty)
    }

    /// eBPF mode hands up SYNs only: unanswered SYNs must not count when no answer was ever seen.
    /// nmap -sS -T4 of 200 ports on three hosts seen through the eBPF SYN rate limit (end-to-end
    /// DetectionTests): about 35 ports per host got through, under the vertical threshold on each.
    @Test func portScan_block_fewHostsManyPorts_boundaries() {
        for (perHost, expected) in [(16, 0), (17, 1), (35, 1)] {  // 3 x 16 = 48 < 50; 3 x 17 = 51
            var h = Harness(PortScanDetector())
            let hosts = [(gateway, Sample.ip(1)), (victim, victimIP), (Sample.mac(0x07), Sample.ip(7))]
            for (mac, ip) in hosts { h.inventory.holders[ip] = mac }
            for i in 0..<perHost {
                for (mac, ip) in hosts {
                    h.frame(
                        Sample.tcp(from: scanner, scannerIP, to: mac, ip, port: UInt16(1 + i * 5), flags: Sample.syn),
                        at: Sample.at(Double(i) * 0.02))
                }
            }
            h.tick(at: Sample.at(10))
            #expect(h.events.count == expected, "\(perHost) ports on each of 3 hosts")
            if expected == 1 {
                #expect(h.events.first?.details["scan"] == "block")
                #expect(h.events.first?.mac == scanner)
                #expect(Set(h.events.first?.relatedMACs ?? []) == Set(hosts.map(\.0)))
            }
        }
    }

    /// Many ports on many Internet servers (a peer-to-peer client): off-link, so no block scan.
    @Test func portScan_block_staysQuiet_forManyPortsBehindTheGateway() {
        var h = Harness(PortScanDetector())
        h.inventory.holders[Sample.ip(1)] = gateway
        for i in 0..<200 {
            let peer = IPAddress.v4(IPv4Address(93, 184, 0, UInt8(i % 200)))
            h.frame(
                Sample.tcp(from: scanner, scannerIP, to: gateway, peer, port: UInt16(6_000 + i), flags: Sample.syn),
                at: Sample.at(Double(i) * 0.1))
        }
        h.tick(at: Sample.at(30))
        #expect(h.events.isEmpty)
    }

    @Test func portScan_synsAlone_countOnlyPortsAndHosts() {
        var h = Harness(PortScanDetector())
        for i in 0..<40 {
            h.frame(
                Sample.tcp(
                    from: scanner, scannerIP, to: Sample.mac(UInt8(100 + i % 20)), Sample.ip(UInt8(100 + i % 20)),
                    port: UInt16(2000 + i), flags: Sample.syn), at: Sample.at(Double(i) * 0.1))
        }
        h.tick(at: Sample.at(30))
        #expect(h.events.isEmpty)
    }

    /// A printer that scans nothing: it talks to the same two servers over and over.
    @Test func portScan_staysQuiet_forAPrinterTalkingToItsServers() {
        var h = Harness(PortScanDetector())
        let printer = Sample.mac(0x30), printerIP = Sample.ip(30)
        for i in 0..<500 {
            let (server, serverIP, port): (MACAddress, IPAddress, UInt16) =
                i.isMultiple(of: 2)
                ? (Sample.mac(0x40), Sample.ip(40), 631) : (gateway, .v4(IPv4Address(8, 8, 4, 4)), 443)
            let time = Double(i) * 2
            h.frame(
                Sample.tcp(
                    from: printer, printerIP, sourcePort: UInt16(30_000 + i), to: server, serverIP, port: port,
                    flags: Sample.syn),
                at: Sample.at(time))
            h.frame(
                Sample.tcp(
                    from: server, serverIP, sourcePort: port, to: printer, printerIP, port: UInt16(30_000 + i),
                    flags: Sample.synAck),
                at: Sample.at(time + 0.01))
            if i.isMultiple(of: 5) { h.tick(at: Sample.at(time + 1)) }
        }
        #expect(h.events.isEmpty)
    }

    @Test func portScan_forgetsAndCountsTheSmallestSources_whenItsSourceTableIsFull() {
        var configuration = PortScanDetector.Configuration()
        configuration.maxSources = 2
        var h = Harness(PortScanDetector(configuration: configuration))
        for i in 0..<3 {
            h.frame(
                Sample.tcp(
                    from: Sample.mac(UInt8(200 + i)), Sample.ip(UInt8(200 + i)), to: victim, victimIP, port: 80,
                    flags: Sample.syn),
                at: Sample.at(0))
        }
        // Both one-probe sources were forgotten to make room for the third: one source, one probe held.
        #expect(h.stage.stateStatistics.dropped == 2)
        #expect(h.stage.stateStatistics.entries == 2)
    }

    /// A flood of spoofed sources with one SYN each (`macof`-style) fills the source table many times
    /// over while a real scanner probes: the scanner holds more probes than any flood source, so it is
    /// never the one forgotten, and its scan is raised.
    @Test func portScan_raisesTheScanner_behindAFloodOfOneSYNSources() {
        var h = Harness(PortScanDetector())
        for i in 0..<5_000 {
            let spoofed = MACAddress(0x02, 0x00, 0x00, 0x00, UInt8(i >> 8), UInt8(i & 0xFF))
            let time = Sample.at(Double(i) * 0.005)
            h.frame(
                Sample.tcp(from: spoofed, Sample.ip(200), to: victim, victimIP, port: 80, flags: Sample.syn), at: time)
            if i % 50 == 0 {
                let port = UInt16(1 + i / 50)
                h.frame(
                    Sample.tcp(from: scanner, scannerIP, to: victim, victimIP, port: port, flags: Sample.syn), at: time)
            }
        }
        #expect(h.events.map(\.mac) == [scanner])
        #expect(h.stage.stateStatistics.dropped > 3_000)
    }
}

extension PortScanDetectorTests {
    @Test func portScan_boundsProbesOverAllSources() {
        var configuration = PortScanDetector.Configuration()
        configuration.maxProbes = 100
        var h = Harness(PortScanDetector(configuration: configuration))
        for source in 0..<3 {
            for port in UInt16(1)...UInt16(40) {
                h.frame(
                    Sample.tcp(
                        from: Sample.mac(UInt8(200 + source)), Sample.ip(UInt8(200 + source)), to: victim, victimIP,
                        port: port, flags: Sample.syn), at: Sample.at(0))
            }
        }
        #expect(h.stage.stateStatistics == StageStateStatistics(entries: 3 + 100, dropped: 20))
        // Past the window the probes are forgotten and the budget is free again.
        h.tick(at: Sample.at(61))
        #expect(h.stage.stateStatistics.entries == 3)
    }
}

extension PortScanDetectorTests {
    /// A peer-to-peer client whose connections to many Internet peers are refused or time out: they all
    /// go through the gateway, so they are not a scan of the LAN.
    @Test func portScan_staysQuiet_forFailedConnectionsToInternetPeers() {
        var h = Harness(PortScanDetector())
        for i in 0..<100 {
            let peer = IPAddress.v4(IPv4Address(203, 0, UInt8(i / 50), UInt8(i % 50 + 1)))
            let port = UInt16(6346 + i % 7)
            let time = Double(i) * 0.5
            h.frame(
                Sample.tcp(
                    from: scanner, scannerIP, sourcePort: UInt16(50_000 + i), to: gateway, peer, port: port,
                    flags: Sample.syn),
                at: Sample.at(time))
            if i.isMultiple(of: 2) {
                h.frame(
                    Sample.tcp(
                        from: gateway, peer, sourcePort: port, to: scanner, scannerIP, port: UInt16(50_000 + i),
                        flags: Sample.rstAck), at: Sample.at(time + 0.1))
            }
            if i.isMultiple(of: 10) { h.tick(at: Sample.at(time + 0.2)) }
        }
        h.tick(at: Sample.at(60))
        #expect(h.events.isEmpty)
    }
}
