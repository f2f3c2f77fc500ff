@_spi(Benchmark) import CaptureEBPF
import Glibc
import LanscopeABI
import LanscopeCore
import TestSupport
import Testing

/// The loaded programs run on crafted frames with BPF_PROG_TEST_RUN: exact counters, exact copies.
@Suite(.needsRoot)
struct ProgramTestRunPrivilegedTests {
    @Test func xdp_arpRequest_countsSenderAndDeliversWholeFrame() throws {
        let harness = try Harness()
        let frame = Frame.arpRequest(from: Frame.deviceA)
        let delivered = try harness.run(.xdp, frame)

        #expect(harness.counters(Frame.deviceA) == expectedCounters([(.transmitted, .other, .other, 1, 42)]))
        #expect(harness.capture.mapEntryCount() == 1, "broadcast destination is not a device")
        let copy = try #require(delivered.first)
        #expect(delivered.count == 1)
        #expect(copy.bytes == frame)
        #expect(copy.wireLength == 42)
        #expect(copy.direction == .ingress)
        #expect(harness.drops() == zeroDrops())
    }

    @Test func xdp_dhcpWithLongOptions_deliversOptionsPastByte240() throws {
        let harness = try Harness()
        let dhcp = Frame.dhcpMessage(optionBytes: 300, clientMAC: Frame.deviceA)
        let frame = Frame.udpFrame(
            destinationMAC: Frame.broadcast, sourceMAC: Frame.deviceA, sourcePort: 68,
            destinationPort: 67, payload: dhcp)
        let delivered = try harness.run(.xdp, frame)

        let copy = try #require(delivered.first)
        #expect(copy.bytes == frame)
        #expect(copy.bytes.count == 14 + 20 + 8 + 540)
        #expect(copy.wireLength == frame.count)
        #expect(copy.bytes.last == 255, "the end option survives")
        #expect(
            harness.counters(Frame.deviceA) == expectedCounters([(.transmitted, .ipv4, .udp, 1, UInt64(frame.count))]))
        #expect(harness.drops() == zeroDrops())
    }

    @Test func tc_dhcpOffer_countsDestinationAsReceivedAndDeliversEgressCopy() throws {
        let harness = try Harness()
        let frame = Frame.udpFrame(
            destinationMAC: Frame.deviceA, sourceMAC: Frame.gateway, sourcePort: 67,
            destinationPort: 68, payload: Frame.dhcpMessage(optionBytes: 60, clientMAC: Frame.deviceA))
        let delivered = try harness.run(.tc, frame)

        #expect(harness.counters(Frame.deviceA) == expectedCounters([(.received, .ipv4, .udp, 1, UInt64(frame.count))]))
        #expect(harness.counters(Frame.gateway) == nil, "egress does not count the sender")
        let copy = try #require(delivered.first)
        #expect(copy.bytes == frame)
        #expect(copy.direction == .egress)
    }

    @Test(arguments: [
        ("802.1Q", [(0x8100, 10)]),
        ("QinQ 802.1ad", [(0x88A8, 100), (0x8100, 10)]),
        ("QinQ double 802.1Q", [(0x8100, 100), (0x8100, 10)]),
    ])
    func xdp_vlanTaggedUDP_countsInnerIPv4UDP(name: String, vlans: [(Int, Int)]) throws {
        let harness = try Harness()
        let frame = Frame.udpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, sourcePort: 40000,
            destinationPort: 5000, payload: [1, 2, 3], vlans: vlans)
        let delivered = try harness.run(.xdp, frame)
        #expect(delivered.isEmpty, "plain UDP is not a discovery frame")
        #expect(
            harness.counters(Frame.deviceA) == expectedCounters([(.transmitted, .ipv4, .udp, 1, UInt64(frame.count))]))
    }

    @Test func xdp_vlanTaggedMDNS_isDelivered() throws {
        let harness = try Harness()
        let frame = Frame.udpFrame(
            destinationMAC: Frame.ipv4Multicast, sourceMAC: Frame.deviceA, sourcePort: 5353,
            destinationPort: 5353, payload: [0, 0, 0x84, 0], vlans: [(0x88A8, 7), (0x8100, 8)])
        let delivered = try harness.run(.xdp, frame)
        #expect(delivered.map(\.bytes) == [frame])
    }

    @Test func xdp_ipv6WithExtensionHeaders_countsIPv6AndTransportReached() throws {
        let harness = try Harness()
        // Hop-by-hop → routing → destination options (16 bytes) → fragment (offset 0) → TCP data.
        let tcp = Frame.tcp(source: 40000, destination: 443, flags: Frame.tcpACK | Frame.tcpPSH, payload: [9, 9, 9])
        let chain = Frame.ipv6Options(
            nextHeader: 43,
            payload: Frame.ipv6Options(
                nextHeader: 60,
                payload: Frame.ipv6Options(
                    nextHeader: 44, units: 1,
                    payload: Frame.ipv6Fragment(nextHeader: 6, offset: 0, payload: tcp))))
        let tcpFrame = Frame.ethernet(
            destination: Frame.gateway, source: Frame.deviceA, etherType: 0x86DD,
            payload: Frame.ipv6(nextHeader: 0, payload: chain))
        #expect(try harness.run(.xdp, tcpFrame).isEmpty)

        // Hop-by-hop (as MLD/NS carry) → ICMPv6 neighbour solicitation: counted and delivered.
        let solicitation = Frame.ethernet(
            destination: Frame.ipv6Multicast, source: Frame.deviceA, etherType: 0x86DD,
            payload: Frame.ipv6(
                nextHeader: 0, payload: Frame.ipv6Options(nextHeader: 58, payload: Frame.icmpv6(type: 135))))
        let delivered = try harness.run(.xdp, solicitation)
        #expect(delivered.map(\.bytes) == [solicitation])

        // A later fragment: protocol known from the fragment header, no transport header to read.
        let laterFragment = Frame.ethernet(
            destination: Frame.gateway, source: Frame.deviceA, etherType: 0x86DD,
            payload: Frame.ipv6(
                nextHeader: 44, payload: Frame.ipv6Fragment(nextHeader: 17, offset: 1480, payload: [1, 2])))
        #expect(try harness.run(.xdp, laterFragment).isEmpty)

        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv6, .tcp, 1, UInt64(tcpFrame.count)),
                    (.transmitted, .ipv6, .icmp, 1, UInt64(solicitation.count)),
                    (.transmitted, .ipv6, .udp, 1, UInt64(laterFragment.count)),
                ]))
        #expect(harness.drops() == zeroDrops())
    }

    @Test func xdp_ipv4LaterFragment_countsProtocolWithoutReadingPorts() throws {
        let harness = try Harness()
        // Bytes at the "port" position say 67/68, but this is not the first fragment: no hand-up.
        let frame = Frame.ethernet(
            destination: Frame.gateway, source: Frame.deviceA, etherType: 0x0800,
            payload: Frame.ipv4(
                protocol: 17, payload: Frame.udp(source: 68, destination: 67, payload: [0]),
                fragmentOffset: 1480))
        #expect(try harness.run(.xdp, frame).isEmpty)
        #expect(
            harness.counters(Frame.deviceA) == expectedCounters([(.transmitted, .ipv4, .udp, 1, UInt64(frame.count))]))
    }

    @Test func testRun_frameShorterThanEthernetHeader_isRejectedByKernel() throws {
        let harness = try Harness()
        // BPF_PROG_TEST_RUN refuses < ETH_HLEN (14) bytes for XDP and skb programs alike, so the
        // programs' own runt check is exercised with cut headers below.
        for program in [ProgramKind.xdp, .tc] {
            #expect(throws: EBPFError.call("bpf_prog_test_run_opts(\(program.rawValue))", errno: 22)) {
                try harness.capture.testRun(program, frame: [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 1, 2, 3])
            }
        }
    }

    @Test func xdpAndTC_truncatedHeaders_countMalformedAndNeverDrop() throws {
        let harness = try Harness()
        let fullUDP = Frame.udpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, sourcePort: 68,
            destinationPort: 67, payload: [])
        let cutIPv4 = Array(fullUDP.prefix(14 + 10))
        let cutUDP = Array(fullUDP.prefix(14 + 20 + 4))
        let cutVLAN = Array(
            Frame.ethernet(
                destination: Frame.gateway, source: Frame.deviceA, etherType: 0x0800,
                vlans: [(0x8100, 1)], payload: []
            ).prefix(14 + 2))
        let ipv6Frame = Frame.ethernet(
            destination: Frame.gateway, source: Frame.deviceA, etherType: 0x86DD,
            payload: Frame.ipv6(nextHeader: 0, payload: Frame.ipv6Options(nextHeader: 6, units: 4, payload: [])))
        let cutIPv6Extension = Array(ipv6Frame.prefix(14 + 40 + 8))
        let cutEthernetOnly = Array(fullUDP.prefix(14))

        for frame in [cutIPv4, cutUDP, cutVLAN, cutIPv6Extension, cutEthernetOnly] {
            #expect(try harness.run(.xdp, frame).isEmpty, "a cut DHCP header is not handed up")
        }
        // The skb test run refuses an IPv4 or IPv6 EtherType without a full IP header (EINVAL), so
        // TC gets the cut UDP header; the stack itself never builds such an egress skb.
        #expect(throws: EBPFError.call("bpf_prog_test_run_opts(tc)", errno: 22)) {
            try harness.capture.testRun(.tc, frame: cutIPv4)
        }
        try harness.run(.tc, cutUDP)
        #expect(harness.drops() == zeroDrops(except: [.malformed: 6]))
        // Each frame counts with what was learnt before the cut: the family from the EtherType,
        // the transport from the IP header's protocol field.
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv4, .other, 2, 24 + 14),
                    (.transmitted, .ipv4, .udp, 1, 38),
                    (.transmitted, .other, .other, 1, 16),
                    (.transmitted, .ipv6, .tcp, 1, 62),
                ]))
        #expect(harness.counters(Frame.gateway) == expectedCounters([(.received, .ipv4, .udp, 1, 38)]))
    }

    @Test func xdp_jumboMDNS_deliversSnapLengthAndCountsTruncation() throws {
        let harness = try Harness()
        let payload = (0..<(9000 - 42)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let frame = Frame.udpFrame(
            destinationMAC: Frame.ipv4Multicast, sourceMAC: Frame.deviceA, sourcePort: 5353,
            destinationPort: 5353, payload: payload)
        #expect(frame.count == 9000)
        let delivered = try harness.run(.xdp, frame)

        let copy = try #require(delivered.first)
        #expect(copy.bytes == Array(frame.prefix(1600)))
        #expect(copy.wireLength == 9000)
        #expect(harness.drops() == zeroDrops(except: [.truncated: 1]))
        #expect(harness.counters(Frame.deviceA) == expectedCounters([(.transmitted, .ipv4, .udp, 1, 9000)]))
    }

    @Test func tc_frameLongerThanSnapLength_deliversSnapLength() throws {
        let harness = try Harness(snapLength: 256)
        let frame = Frame.udpFrame(
            destinationMAC: Frame.deviceA, sourceMAC: Frame.gateway, sourcePort: 1900,
            destinationPort: 1900, payload: [UInt8](repeating: 0x41, count: 1000))
        let delivered = try harness.run(.tc, frame)
        #expect(delivered.map(\.bytes) == [Array(frame.prefix(256))])
        #expect(delivered.first?.wireLength == frame.count)
        #expect(harness.drops() == zeroDrops(except: [.truncated: 1]))
    }

    @Test(arguments: [
        ("mDNS", 5353, 5353), ("SSDP", 50000, 1900), ("NBNS", 137, 137), ("DHCPv4 server", 67, 68),
        ("WS-Discovery", 3702, 3702), ("WS-Discovery match", 3702, 50000),
    ])
    func xdp_discoveryUDP_isDelivered(name: String, sourcePort: Int, destinationPort: Int) throws {
        let harness = try Harness()
        let frame = Frame.udpFrame(
            destinationMAC: Frame.ipv4Multicast, sourceMAC: Frame.deviceA, sourcePort: sourcePort,
            destinationPort: destinationPort, payload: Array("M-SEARCH * HTTP/1.1\r\n\r\n".utf8))
        let delivered = try harness.run(.xdp, frame)
        #expect(delivered.map(\.bytes) == [frame])
        #expect(delivered.map(\.wireLength) == [frame.count])
    }

    @Test func xdp_dhcpv6AndLLDPAndCDP_areDelivered() throws {
        let harness = try Harness()
        let dhcpv6 = Frame.ethernet(
            destination: Frame.ipv6Multicast, source: Frame.deviceA, etherType: 0x86DD,
            payload: Frame.ipv6(
                nextHeader: 17, payload: Frame.udp(source: 546, destination: 547, payload: [1, 0, 0, 1])))
        let lldp = Frame.ethernet(
            destination: [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e], source: Frame.deviceA,
            etherType: 0x88CC, payload: [0x02, 0x07, 0x04] + Frame.deviceA + [0, 0])
        let cdpPayload: [UInt8] = [0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4, 0, 0]
        let cdp = Frame.ethernet(
            destination: [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc], source: Frame.deviceA,
            etherType: cdpPayload.count, payload: cdpPayload)
        let notCDP = Frame.ethernet(
            destination: [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcd], source: Frame.deviceA,
            etherType: cdpPayload.count, payload: cdpPayload)
        for frame in [dhcpv6, lldp, cdp] {
            #expect(try harness.run(.xdp, frame).map(\.bytes) == [frame])
        }
        #expect(try harness.run(.xdp, notCDP).isEmpty)
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv6, .udp, 1, UInt64(dhcpv6.count)),
                    (.transmitted, .other, .other, 3, UInt64(lldp.count + cdp.count + notCDP.count)),
                ]))
    }

    @Test func xdp_tcpSYNAndSYNACK_areDeliveredButNotData() throws {
        let harness = try Harness()
        let syn = Frame.tcpFrame(destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpSYN)
        let synAck = Frame.tcpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpSYN | Frame.tcpACK)
        let data = Frame.tcpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpACK | Frame.tcpPSH,
            payload: [UInt8](repeating: 1, count: 100))
        #expect(try harness.run(.xdp, syn).map(\.bytes) == [syn])
        // A SYN-ACK names a port its sender serves.
        #expect(try harness.run(.xdp, synAck).map(\.bytes) == [synAck])
        #expect(try harness.run(.xdp, data).isEmpty)
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv4, .tcp, 3, UInt64(syn.count + synAck.count + data.count))
                ]))
    }

    @Test func xdp_synFloodFromOneMAC_isRateLimitedPerSourceAndCounted() throws {
        // 1 token/s: the whole test runs well within a second, so at most the burst passes.
        let harness = try Harness(synRate: 1, synBurst: 5)
        let flood = Frame.tcpFrame(destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpSYN)
        let other = Frame.tcpFrame(destinationMAC: Frame.gateway, sourceMAC: Frame.deviceB, flags: Frame.tcpSYN)
        let delivered = try harness.run(.xdp, flood, repeat: 50)
        #expect(delivered.count == 5)
        #expect(delivered.allSatisfy { $0.bytes == flood })
        #expect(harness.drops() == zeroDrops(except: [.rateLimited: 45]))
        let synAck = Frame.tcpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpSYN | Frame.tcpACK)
        #expect(try harness.run(.xdp, synAck).isEmpty, "SYN-ACKs spend the same bucket")
        #expect(harness.drops() == zeroDrops(except: [.rateLimited: 46]))
        #expect(try harness.run(.xdp, other).count == 1, "another device has its own bucket")
        #expect(harness.counters(Frame.deviceA)?.transmittedPackets == 51, "rate limiting never affects counting")
    }

    /// Egress builds the sender's key only for frames it may hand up (it counts the destination):
    /// SYNs still spend a bucket per source MAC.
    @Test func tc_synFloodFromOneMAC_isRateLimitedPerSourceAndCounted() throws {
        // 1 token/s: the whole test runs well within a second, so at most the burst passes.
        let harness = try Harness(synRate: 1, synBurst: 5)
        let flood = Frame.tcpFrame(destinationMAC: Frame.deviceA, sourceMAC: Frame.gateway, flags: Frame.tcpSYN)
        let other = Frame.tcpFrame(destinationMAC: Frame.deviceA, sourceMAC: Frame.deviceB, flags: Frame.tcpSYN)
        let delivered = try harness.run(.tc, flood, repeat: 50)
        #expect(delivered.count == 5)
        #expect(delivered.allSatisfy { $0.bytes == flood && $0.direction == .egress })
        #expect(harness.drops() == zeroDrops(except: [.rateLimited: 45]))
        #expect(try harness.run(.tc, other).count == 1, "another sender has its own bucket")
        #expect(harness.counters(Frame.deviceA)?.receivedPackets == 51, "rate limiting never affects counting")
        #expect(harness.counters(Frame.gateway) == nil, "egress counts the destination only")
    }

    @Test func xdp_zeroSYNRate_handsUpNoSYNs() throws {
        let harness = try Harness(synRate: 0)
        let syn = Frame.tcpFrame(destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpSYN)
        #expect(try harness.run(.xdp, syn, repeat: 3).isEmpty)
        #expect(harness.counters(Frame.deviceA)?.transmittedPackets == 3)
    }

    @Test func xdpAndTC_groupAndZeroMACs_areNotCounted() throws {
        let harness = try Harness(mode: .span)
        let multicastSource = Frame.udpFrame(
            destinationMAC: Frame.broadcast, sourceMAC: [0x01, 0, 0x5e, 0, 0, 1],
            sourcePort: 1, destinationPort: 2, payload: [])
        let zeroSource = Frame.udpFrame(
            destinationMAC: Frame.ipv6Multicast, sourceMAC: [0, 0, 0, 0, 0, 0],
            sourcePort: 1, destinationPort: 2, payload: [])
        try harness.run(.xdp, multicastSource)
        try harness.run(.xdp, zeroSource)
        try harness.run(.tc, multicastSource)
        try harness.run(.tc, zeroSource)
        #expect(harness.capture.mapEntryCount() == 0)
        #expect(harness.capture.readDeviceCounters().isEmpty)
    }

    @Test func xdp_spanMode_countsDestinationAsReceived() throws {
        let span = try Harness(mode: .span)
        let gateway = try Harness(mode: .gateway)
        let frame = Frame.tcpFrame(destinationMAC: Frame.deviceB, sourceMAC: Frame.deviceA, flags: Frame.tcpACK)
        try span.run(.xdp, frame)
        try gateway.run(.xdp, frame)
        let size = UInt64(frame.count)
        #expect(span.counters(Frame.deviceA) == expectedCounters([(.transmitted, .ipv4, .tcp, 1, size)]))
        #expect(span.counters(Frame.deviceB) == expectedCounters([(.received, .ipv4, .tcp, 1, size)]))
        #expect(gateway.counters(Frame.deviceB) == nil)
    }

    @Test func xdp_mapFull_countsDevicesThatDidNotFit() throws {
        // Capacity 2 devices → the smallest table, LS_SLOT_PROBES (64) slots; every slot is within the
        // probes, so the 65th and 66th new MACs find no free slot.
        let harness = try Harness(maxDevices: 2)
        #expect(LS_SLOT_PROBES == 64)
        for last in UInt8(1)...UInt8(66) {
            try harness.run(.xdp, Frame.arpRequest(from: [0x00, 0x11, 0x22, 0x33, 0x44, last]))
        }
        #expect(harness.capture.mapEntryCount() == 64)
        #expect(harness.capture.mapCapacity == 2)
        #expect(harness.drops()[.mapFull] == 2)
        // Devices already in the table keep counting.
        try harness.run(.xdp, Frame.arpRequest(from: [0x00, 0x11, 0x22, 0x33, 0x44, 1]))
        #expect(harness.drops()[.mapFull] == 2)
        #expect(harness.drain().isEmpty)
    }

    @Test func xdp_perfBufferFull_everyFrameIsDeliveredOrCounted() throws {
        let harness = try Harness(ringBufferBytes: 4096)
        let frame = Frame.arpRequest(from: Frame.deviceA)
        let result = try harness.capture.testRun(.xdp, frame: frame, repeat: 1000)
        #expect(result.returnValue == ProgramVerdict.xdpPass)
        let delivered = harness.drain()
        let lost = try #require(harness.drops()[.bufferFull])
        #expect(lost > 0, "one page per CPU cannot hold 1000 records")
        #expect(UInt64(delivered.count) + lost == 1000)
        #expect(delivered.allSatisfy { $0.bytes == frame })
    }

    /// The kernel's run-time accounting counts every run of each program while enabled, and only then.
    @Test func runStats_countRunsOnlyWhileStatisticsAreEnabled() throws {
        let harness = try Harness()
        let frame = Frame.tcpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpACK, payload: [1, 2, 3])
        var before = try [ProgramKind.xdp, .tc, .xdpPass].map { try harness.capture.runStats($0) }
        do {
            let statistics = try RunTimeStatistics()
            for program in [ProgramKind.xdp, .tc, .xdpPass] {
                _ = try harness.capture.testRun(program, frame: frame, repeat: 500)
            }
            let after = try [ProgramKind.xdp, .tc, .xdpPass].map { try harness.capture.runStats($0) }
            for (b, a) in zip(before, after) {
                #expect(a.runCount - b.runCount == 500)
                #expect(a.runTimeNanoseconds > b.runTimeNanoseconds)
                #expect(a.nanosecondsPerRun(since: b) > 0)
            }
            withExtendedLifetime(statistics) {}
            before = after
        }
        _ = try harness.capture.testRun(.xdp, frame: frame, repeat: 500)
        #expect(try harness.capture.runStats(.xdp).runCount == before[0].runCount, "statistics off again")
    }

    /// MAC patterns a table must hold without overflowing its probes: one vendor numbered
    /// sequentially, nine vendors interleaved, random unicast, randomised (locally administered).
    static let macPatterns: [(String, @Sendable (Int) -> [UInt8])] = {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<4096).map { _ in UInt64.random(in: 0...UInt64(0xFFFF_FFFF_FFFF), using: &generator) }
        let vendors: [UInt64] = [
            0x3c22fb, 0xb827eb, 0x9c7bef, 0x5caafd, 0xd0d003, 0xf01898, 0x001a11, 0xdca632, 0xdaa119,
        ]
        @Sendable func octets(_ value: UInt64) -> [UInt8] { MACAddress(rawValue: value).octets }
        return [
            ("one vendor, sequential", { octets(0x3c22fb_000000 | UInt64($0)) }),
            ("nine vendors, interleaved", { octets(vendors[$0 % 9] << 24 | UInt64(0x100000 + $0)) }),
            ("random unicast", { octets(random[$0] & ~0x0100_0000_0000) }),
            ("randomised", { octets(random[$0] & ~0x0100_0000_0000 | 0x0200_0000_0000) }),
        ]
    }()

    /// A 4,096-device table filled to three quarters with distinct MACs: every device gets a slot (no
    /// map_full), a second frame from each finds its slot again instead of taking a new one.
    @Test(arguments: 0..<4)
    func deviceTable_threeQuartersFull_holdsEveryDevice(pattern: Int) throws {
        let (name, mac) = Self.macPatterns[pattern]
        let harness = try Harness(maxDevices: 4096)
        let devices = 3072
        for round in 1...2 {
            for i in 0..<devices {
                let frame = Frame.udpFrame(
                    destinationMAC: Frame.gateway, sourceMAC: mac(i), sourcePort: 40000,
                    destinationPort: 443, payload: [1, 2, 3])
                let result = try harness.capture.testRun(.xdp, frame: frame)
                #expect(result.returnValue == ProgramVerdict.xdpPass)
            }
            #expect(harness.drops()[.mapFull] == 0, "\(name), round \(round)")
            let table = harness.capture.readDeviceTable()
            #expect(table.count == devices, "\(name), round \(round)")
            #expect(
                (0..<table.count).allSatisfy { table.totals(at: $0).transmittedPackets == UInt64(round) }, "\(name)")
        }
    }

    /// The table read in place through the mapping equals the table copied with batched lookups
    /// (the path taken when the kernel refuses the mapping).
    @Test func deviceTable_readInPlace_equalsBatchedCopy() throws {
        let harness = try Harness(maxDevices: 256)
        #expect(harness.capture.isDeviceTableMapped)
        for i in 0..<200 {
            let mac = MACAddress(rawValue: 0x3c22fb_000000 | UInt64(i)).octets
            let frame = Frame.udpFrame(
                destinationMAC: Frame.gateway, sourceMAC: mac, sourcePort: 40000,
                destinationPort: 443, payload: [UInt8](repeating: 7, count: i))
            _ = try harness.capture.testRun(.xdp, frame: frame, repeat: 1 + i % 3)
            _ = try harness.capture.testRun(
                .tc,
                frame: Frame.udpFrame(
                    destinationMAC: mac, sourceMAC: Frame.gateway,
                    sourcePort: 443, destinationPort: 40000, payload: []))
        }
        let mapped = harness.capture.readDeviceTable()
        let copied = harness.capture.readDeviceTableCopied()
        #expect(mapped.count == 200)
        #expect(copied.count == 200)
        for row in 0..<mapped.count {
            let other = try #require(copied.row(of: mapped.macs[row]))
            #expect(mapped.counters(at: row) == copied.counters(at: other))
            // Wall-clock conversions of the same kernel time, made by two reads: equal within a millisecond.
            #expect(abs(mapped.lastSeen[row].nanoseconds - copied.lastSeen[other].nanoseconds) < 1_000_000)
        }
        let sample = try #require(mapped.row(of: MACAddress(rawValue: 0x3c22fb_000005)))
        #expect(mapped.totals(at: sample).transmittedPackets == 3)
        #expect(mapped.totals(at: sample).receivedPackets == 1)
    }

    @Test func readDeviceCounters_lastSeen_isCurrentWallClock() throws {
        let harness = try Harness()
        let before = wallClockNow()
        try harness.run(.xdp, Frame.arpRequest(from: Frame.deviceA))
        let after = wallClockNow()
        let snapshot = try #require(harness.capture.readDeviceCounters().first)
        // Last-seen has tick resolution (at most 10 ms behind at HZ=100).
        #expect(snapshot.lastSeen >= before - .milliseconds(20))
        #expect(snapshot.lastSeen <= after + .milliseconds(5))
        #expect(harness.capture.expireDevices(idleLongerThan: .seconds(60)) == 0)
        #expect(harness.capture.expireDevices(idleLongerThan: .zero) == 1)
        #expect(harness.capture.mapEntryCount() == 0)
    }

    @Test func expireDevices_removesOnlyIdleDevices_andAReturningDeviceStartsAgain() throws {
        let harness = try Harness()
        try harness.run(.xdp, Frame.arpRequest(from: Frame.deviceA), repeat: 3)
        var pause = timespec(tv_sec: 0, tv_nsec: 120_000_000)
        nanosleep(&pause, nil)
        try harness.run(.xdp, Frame.arpRequest(from: Frame.deviceB))
        // Last-seen has tick resolution; 60 ms separates the two devices at any HZ ≥ 100.
        #expect(harness.capture.expireDevices(idleLongerThan: .milliseconds(60)) == 1)
        #expect(harness.capture.mapEntryCount() == 1)
        #expect(harness.counters(Frame.deviceA) == nil)
        #expect(harness.counters(Frame.deviceB)?.transmittedPackets == 1)
        try harness.run(.xdp, Frame.arpRequest(from: Frame.deviceA))
        #expect(harness.counters(Frame.deviceA)?.transmittedPackets == 1)
    }
}
