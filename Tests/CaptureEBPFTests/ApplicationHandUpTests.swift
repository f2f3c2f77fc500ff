import CaptureEBPF
import LanscopeCore
import TestSupport
import Testing

/// DNS queries and the TCP segments that open a TLS ClientHello or an HTTP/1.x request, run through
/// the loaded programs with BPF_PROG_TEST_RUN: handed up whole and rate-limited per source device,
/// everything else only counted, every frame passed and counted exactly.
@Suite(.needsRoot)
struct ApplicationHandUpPrivilegedTests {
    @Test(arguments: [false, true])
    func xdp_dnsQuery_isDeliveredWholeAndCounted(ipv6: Bool) throws {
        let harness = try Harness()
        let query = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, ipv6: ipv6, sourcePort: 51000, destinationPort: 53,
            payload: Frame.dnsMessage(name: "device-cloud.example.com"))
        let delivered = try harness.run(.xdp, query)

        #expect(delivered.map(\.bytes) == [query])
        #expect(delivered.map(\.wireLength) == [query.count])
        #expect(delivered.first?.direction == .ingress)
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([(.transmitted, ipv6 ? .ipv6 : .ipv4, .udp, 1, UInt64(query.count))]))
        #expect(harness.drops() == zeroDrops())
    }

    @Test func xdp_dnsResponsesAndShortMessages_areNotDelivered() throws {
        let harness = try Harness()
        // The reply to a device comes from port 53; one between two servers (53 → 53) has QR set.
        let reply = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, sourcePort: 53, destinationPort: 51000,
            payload: Frame.dnsMessage(name: "example.com", response: true))
        let serverReply = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, ipv6: true, sourcePort: 53, destinationPort: 53,
            payload: Frame.dnsMessage(name: "example.com", response: true))
        // Fewer than the 12 bytes of a DNS header: nothing to decode.
        let short = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, sourcePort: 51000, destinationPort: 53,
            payload: Array(Frame.dnsMessage(name: "example.com").prefix(11)))
        for frame in [reply, serverReply, short] {
            #expect(try harness.run(.xdp, frame).isEmpty)
        }
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv4, .udp, 2, UInt64(reply.count + short.count)),
                    (.transmitted, .ipv6, .udp, 1, UInt64(serverReply.count)),
                ]))
        #expect(harness.drops() == zeroDrops())
    }

    @Test(arguments: [false, true])
    func xdp_tlsClientHello_isDeliveredWholeAndCounted(ipv6: Bool) throws {
        let harness = try Harness()
        let hello = Frame.tcpSegment(
            sourceMAC: Frame.deviceA, ipv6: ipv6,
            payload: Frame.tlsClientHello(serverName: "camera-p2p.example.net"))
        let delivered = try harness.run(.xdp, hello)

        #expect(delivered.map(\.bytes) == [hello])
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([(.transmitted, ipv6 ? .ipv6 : .ipv4, .tcp, 1, UInt64(hello.count))]))
        #expect(harness.drops() == zeroDrops())
    }

    @Test(arguments: ["GET", "POST", "HEAD", "PUT", "OPTIONS", "DELETE", "PATCH", "CONNECT"])
    func xdp_httpRequestHead_isDeliveredWhole(method: String) throws {
        let harness = try Harness()
        let request = Frame.tcpSegment(
            sourceMAC: Frame.deviceA, destinationPort: 80, payload: Frame.httpRequest(method: method))
        #expect(try harness.run(.xdp, request).map(\.bytes) == [request])
        #expect(
            harness.counters(Frame.deviceA) == expectedCounters([(.transmitted, .ipv4, .tcp, 1, UInt64(request.count))])
        )
        #expect(harness.drops() == zeroDrops())
    }

    @Test func xdp_tcpSegmentsOpeningNoRequest_areNotDelivered() throws {
        let harness = try Harness()
        var payloads = (1...16).map { Frame.pseudoRandomBytes(count: 600, seed: UInt32($0)) }
        payloads += [
            Array("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n".utf8),  // a response starts with 'H' but is no method
            Array("GETS / HTTP/1.1\r\n\r\n".utf8),  // "GET" without its space
            Array("get / HTTP/1.1\r\n\r\n".utf8),  // methods are case-sensitive (RFC 9110 section 9.1)
            Array("GET".utf8),  // shorter than a method token
            Frame.tlsClientHello(serverName: "x.example", handshakeType: 2),  // ServerHello
            [0x17, 0x03, 0x03, 0x00, 0x20] + [UInt8](repeating: 0xAB, count: 32),  // TLS application data
            [0x16, 0x02, 0x00, 0x00, 0x05, 0x01],  // record version major 2 (SSLv2-era), not TLS
            [0x16, 0x03, 0x01, 0x00],  // cut before the handshake type
        ]
        var bytes: UInt64 = 0
        for payload in payloads {
            let segment = Frame.tcpSegment(sourceMAC: Frame.deviceA, payload: payload)
            bytes += UInt64(segment.count)
            #expect(try harness.run(.xdp, segment).isEmpty, "payload starting \(payload.prefix(6))")
        }
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([(.transmitted, .ipv4, .tcp, UInt64(payloads.count), bytes)]))
        #expect(harness.drops() == zeroDrops())
    }

    @Test func xdp_dnsRateLimit_passesBurstThenCountsTheNextQuery() throws {
        // 1 token/s: each phase runs in one test-run call, well within a second.
        let harness = try Harness(dnsRate: 1, dnsBurst: 5)
        let query = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, sourcePort: 51000, destinationPort: 53,
            payload: Frame.dnsMessage(name: "example.com"))
        let burst = try harness.run(.xdp, query, repeat: 5)
        #expect(burst.count == 5)
        #expect(burst.allSatisfy { $0.bytes == query })
        #expect(harness.drops() == zeroDrops())

        #expect(try harness.run(.xdp, query).isEmpty, "the sixth query finds the bucket empty")
        #expect(harness.drops() == zeroDrops(except: [.dnsRateLimited: 1]))

        let other = Frame.udpDatagram(
            sourceMAC: Frame.deviceB, sourcePort: 51000, destinationPort: 53,
            payload: Frame.dnsMessage(name: "example.com"))
        #expect(try harness.run(.xdp, other).count == 1, "another device has its own bucket")
        let syn = Frame.tcpFrame(destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpSYN)
        #expect(try harness.run(.xdp, syn).count == 1, "DNS queries do not spend the SYN budget")
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv4, .udp, 6, UInt64(6 * query.count)),
                    (.transmitted, .ipv4, .tcp, 1, UInt64(syn.count)),
                ]))
        #expect(harness.drops() == zeroDrops(except: [.dnsRateLimited: 1]))
    }

    @Test func xdp_payloadRateLimit_passesBurstThenCountsTheNextSegment() throws {
        let harness = try Harness(payloadRate: 1, payloadBurst: 4)
        let hello = Frame.tcpSegment(sourceMAC: Frame.deviceA, payload: Frame.tlsClientHello(serverName: "tv.example"))
        let request = Frame.tcpSegment(
            sourceMAC: Frame.deviceA, destinationPort: 80, payload: Frame.httpRequest(method: "GET"))
        // ClientHellos and request heads share one budget per device.
        #expect(try harness.run(.xdp, hello, repeat: 2).map(\.bytes) == [hello, hello])
        #expect(try harness.run(.xdp, request, repeat: 2).map(\.bytes) == [request, request])
        #expect(harness.drops() == zeroDrops())

        #expect(try harness.run(.xdp, request).isEmpty, "the fifth segment finds the bucket empty")
        #expect(harness.drops() == zeroDrops(except: [.payloadRateLimited: 1]))

        let query = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, sourcePort: 51000, destinationPort: 53,
            payload: Frame.dnsMessage(name: "example.com"))
        #expect(try harness.run(.xdp, query).count == 1, "the DNS budget is separate")
        let other = Frame.tcpSegment(sourceMAC: Frame.deviceB, payload: Frame.tlsClientHello(serverName: "tv.example"))
        #expect(try harness.run(.xdp, other).count == 1, "another device has its own bucket")
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.transmitted, .ipv4, .tcp, 5, UInt64(2 * hello.count + 3 * request.count)),
                    (.transmitted, .ipv4, .udp, 1, UInt64(query.count)),
                ]))
        #expect(harness.drops() == zeroDrops(except: [.payloadRateLimited: 1]))
    }

    @Test func xdp_zeroRates_handUpNoQueriesOrRequestsAndCountNoLoss() throws {
        let harness = try Harness(dnsRate: 0, payloadRate: 0)
        let query = Frame.udpDatagram(
            sourceMAC: Frame.deviceA, sourcePort: 51000, destinationPort: 53,
            payload: Frame.dnsMessage(name: "example.com"))
        let hello = Frame.tcpSegment(sourceMAC: Frame.deviceA, payload: Frame.tlsClientHello(serverName: "x.example"))
        #expect(try harness.run(.xdp, query, repeat: 3).isEmpty)
        #expect(try harness.run(.xdp, hello, repeat: 3).isEmpty)
        #expect(harness.counters(Frame.deviceA)?.transmittedPackets == 6)
        #expect(harness.drops() == zeroDrops())
    }

    /// On egress the sender is this host: its queries and requests are handed up like a device's,
    /// and the frame counts as received by its destination.
    @Test func tc_dnsQueryClientHelloAndRequest_areDeliveredAsEgressCopies() throws {
        let harness = try Harness()
        let query = Frame.udpDatagram(
            sourceMAC: Frame.gateway, destinationMAC: Frame.deviceA, ipv6: true, sourcePort: 51000,
            destinationPort: 53, payload: Frame.dnsMessage(name: "printer.lan"))
        let hello = Frame.tcpSegment(
            sourceMAC: Frame.gateway, destinationMAC: Frame.deviceA,
            payload: Frame.tlsClientHello(serverName: "nas.lan"))
        let request = Frame.tcpSegment(
            sourceMAC: Frame.gateway, destinationMAC: Frame.deviceA, destinationPort: 80,
            payload: Frame.httpRequest(method: "HEAD"))
        let data = Frame.tcpSegment(
            sourceMAC: Frame.gateway, destinationMAC: Frame.deviceA,
            payload: Frame.pseudoRandomBytes(count: 1200, seed: 99))
        for frame in [query, hello, request] {
            let delivered = try harness.run(.tc, frame)
            #expect(delivered.map(\.bytes) == [frame])
            #expect(delivered.first?.direction == .egress)
        }
        #expect(try harness.run(.tc, data).isEmpty)
        #expect(
            harness.counters(Frame.deviceA)
                == expectedCounters([
                    (.received, .ipv6, .udp, 1, UInt64(query.count)),
                    (.received, .ipv4, .tcp, 3, UInt64(hello.count + request.count + data.count)),
                ]))
        #expect(harness.drops() == zeroDrops())
    }

    /// Rate-limited hand-ups are keyed by the sender; a group or all-zero source MAC names no device,
    /// so egress neither hands its SYNs, queries and requests up nor counts them as rate-limited.
    @Test func tc_groupAndZeroSourceMACs_handUpNoSYNsQueriesOrRequests() throws {
        let harness = try Harness()
        for source: [UInt8] in [[0x01, 0, 0x5e, 0, 0, 1], [0, 0, 0, 0, 0, 0]] {
            let frames = [
                Frame.tcpFrame(destinationMAC: Frame.deviceA, sourceMAC: source, flags: Frame.tcpSYN),
                Frame.udpDatagram(
                    sourceMAC: source, destinationMAC: Frame.deviceA, sourcePort: 51000, destinationPort: 53,
                    payload: Frame.dnsMessage(name: "printer.lan")),
                Frame.tcpSegment(
                    sourceMAC: source, destinationMAC: Frame.deviceA,
                    payload: Frame.tlsClientHello(serverName: "nas.lan")),
                Frame.tcpSegment(
                    sourceMAC: source, destinationMAC: Frame.deviceA, destinationPort: 80,
                    payload: Frame.httpRequest(method: "GET")),
            ]
            for frame in frames { #expect(try harness.run(.tc, frame).isEmpty) }
        }
        #expect(harness.counters(Frame.deviceA)?.receivedPackets == 8, "the destination still counts them")
        #expect(harness.drops() == zeroDrops())
    }
}
