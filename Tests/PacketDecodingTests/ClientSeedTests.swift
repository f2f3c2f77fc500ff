import Foundation
import LanscopeCore
import PacketDecoding
import Testing

/// The crafted client-signal seeds (Fixtures/make-client-seeds.py) decode to exactly the facts
/// they were built to carry, about the device that sent them.
@Suite struct ClientSeedTests {
    static let seedMAC = FuzzSeedTests.seedMAC

    static func decode(_ name: String) throws -> DecodeResult {
        FrameDecoder(linkType: .ethernet).decode(try FuzzSeedTests.seed(name))
    }

    @Test(arguments: [
        ("dhcpv6-solicit", DiscoveryProtocol.dhcpv6), ("tcp-syn", .tcp), ("tcp-syn-ipv6", .tcp), ("dns-query", .dns),
        ("tls-clienthello", .tls), ("http-request", .http), ("ndp-ra-prefix", .ndp), ("lldp-med", .lldp),
    ])
    func clientSeed_decodesToItsProtocol(name: String, discovery: DiscoveryProtocol) throws {
        let result = try Self.decode(name)
        #expect(result.discovery == discovery)
        #expect(result.error == nil, "\(name): \(String(describing: result.error))")
        #expect(!result.observations.isEmpty && result.observations.allSatisfy { $0.mac == Self.seedMAC }, "\(name)")
    }

    @Test func dhcpv6Seed_yieldsFingerprintAndHostname() throws {
        let result = try Self.decode("dhcpv6-solicit")
        let duid: [UInt8] = [0, 1, 0, 1, 0x1C, 0x38, 0x26, 0x2D] + Self.seedMAC.octets
        let fingerprint = DHCPv6ClientFingerprint(
            messageType: 1, duid: duid, optionRequest: [23, 24, 39, 17], vendorEnterprise: 311,
            vendorClass: "MSFT 5.0", fqdn: "seed-host.example.com")
        #expect(result.observations.map(\.fact) == [.dhcpv6Client(fingerprint), .hostname("seed-host", via: .dhcpv6)])
        #expect(fingerprint.duidLinkLayerAddress == Self.seedMAC)
        #expect(fingerprint.optionRequestText == "23,24,39,17")
    }

    @Test func synSeeds_yieldSignatures() throws {
        let v4 = TCPSignature(
            ipVersion: 4, ttl: 64, dontFragment: true, window: 64240, options: [2, 4, 8, 1, 3], mss: 1460,
            windowScale: 7)
        #expect(try Self.decode("tcp-syn").observations.map(\.fact) == [.tcpSignature(v4)])
        #expect(v4.signature == "4:64:1460:64240,7:mss,sok,ts,nop,ws:df")
        let v6 = TCPSignature(
            ipVersion: 6, ttl: 64, dontFragment: false, window: 65535, options: [2, 1, 3, 1, 1, 8, 4, 0], mss: 1440,
            windowScale: 6)
        #expect(try Self.decode("tcp-syn-ipv6").observations.map(\.fact) == [.tcpSignature(v6)])
    }

    @Test func synSeed_forwardedByARouter_isAttributedToNoOne() throws {
        var frame = try FuzzSeedTests.seed("tcp-syn")
        frame[14 + 8] = 63  // one hop: the sender MAC is the router's, the SYN a remote host's
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.discovery == .tcp)
        #expect(result.observations.isEmpty)
    }

    @Test func synAck_namesTheServedPort_notASignature() throws {
        var frame = try FuzzSeedTests.seed("tcp-syn")
        frame[14 + 20 + 13] = 0x12
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.discovery == .tcp)
        let port = result.summary.sourcePort
        #expect(
            result.observations.map(\.fact) == [
                .service(ServiceAdvertisement(via: .tcp, type: "tcp/\(port)", port: port))
            ])
        frame[14 + 8] = 63  // routed: a remote server's answer, not the sender's
        #expect(FrameDecoder(linkType: .ethernet).decode(frame).observations.isEmpty)
    }

    @Test func dnsSeed_keepsForwardNameLowercased_skipsReverseLookup() throws {
        #expect(try Self.decode("dns-query").observations.map(\.fact) == [.dnsQuery("camera.vendor-cloud.example")])
    }

    @Test func dnsResponse_namesNoOne() throws {
        var frame = try FuzzSeedTests.seed("dns-query")
        frame[14 + 20 + 8 + 2] |= 0x80  // QR
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.discovery == .dns && result.observations.isEmpty)
    }

    @Test func tlsSeed_yieldsJA4SNIAndALPN() throws {
        // a: TLS 1.3 from supported_versions, SNI, 5 ciphers and 5 extensions without GREASE, "h2".
        // b and c: SHA-256 of "1301,1302,1303,c02b,c02f" and "000a,000d,002b_0403,0804,0401"
        // (the strings the specification builds), first 12 hex digits, computed with Python's hashlib.
        let expected = TLSClientFingerprint(
            ja4: "t13d0505h2_e133e205ac38_beb9f91c6f80", serverName: "seed.example.com", alpn: ["h2", "http/1.1"])
        #expect(try Self.decode("tls-clienthello").observations.map(\.fact) == [.tlsClient(expected)])
    }

    @Test func tlsSeed_continuedAfterALPN_keepsSNIWithoutJA4() throws {
        let frame = try FuzzSeedTests.seed("tls-clienthello")
        // The segment ends just past the ALPN extension: the hello goes on in the next segment.
        let payloadStart = 14 + 20 + 20
        let alpnEnd = try #require(frame.firstRange(of: Array("http/1.1".utf8))).upperBound
        let segment = FrameBuilder.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
            payload: FrameBuilder.ipv4Packet(
                source: "192.168.7.10", destination: "192.168.7.1", protocolNumber: 6,
                payload: FrameBuilder.tcp(sourcePort: 40002, destinationPort: 8443, flags: 0x18)
                    + Array(frame[payloadStart..<(alpnEnd + 3)])))
        let result = FrameDecoder(linkType: .ethernet).decode(segment)
        #expect(result.error == nil)
        #expect(
            result.observations.map(\.fact) == [
                .tlsClient(TLSClientFingerprint(ja4: "", serverName: "seed.example.com", alpn: ["h2", "http/1.1"]))
            ])
        // The same bytes cut by the snap length are an error: the frame says more was sent.
        let cut = FrameDecoder(linkType: .ethernet).decode(Array(frame[..<(alpnEnd + 3)]), wireLength: frame.count)
        #expect(cut.error?.layer == .tls && cut.observations.isEmpty)
    }

    @Test func httpSeed_yieldsUserAgentAndHost() throws {
        let expected = HTTPClientFingerprint(userAgent: "SeedCam/1.0 (lanscope)", host: "seed.example.com")
        #expect(try Self.decode("http-request").observations.map(\.fact) == [.httpClient(expected)])
    }

    @Test func raSeed_describesRouter() throws {
        let result = try Self.decode("ndp-ra-prefix")
        let advertisement = RouterAdvertisement(
            routerLifetime: 1800, prefixes: ["2001:db8:1::/64"], managed: true, otherConfiguration: true)
        #expect(
            result.observations.map(\.fact) == [
                .address(.v6(IPv6Address("fe80::211:22ff:fe33:4455")!), via: .ndp), .routerAdvertisement(advertisement),
            ])
    }

    @Test func lldpMEDSeed_yieldsInventory() throws {
        let result = try Self.decode("lldp-med")
        let inventory = DeviceInventory(
            via: .lldp, manufacturer: "Seed Phones Inc", model: "SP-100", hardwareRevision: "HW 1.0A",
            firmwareRevision: "FW 2.3.4", softwareRevision: "SIP 5.1.7", medDeviceClass: 3)
        #expect(result.observations.map(\.fact) == [.hostname("seed-phone", via: .lldp), .inventory(inventory)])
    }

    @Test func cdpSeed_keepsSoftwareAndAddsInventory() throws {
        let facts = try Self.decode("cdp").observations.map(\.fact)
        #expect(facts.contains(.software("seed 2811", via: .cdp)))
        #expect(
            facts.contains {
                if case .inventory(let i) = $0 { return i.via == .cdp && i.model == "seed 2811" } else { return false }
            })
    }

    @Test func sha256_matchesFIPSKnownAnswers() {
        // FIPS 180-4 example "abc", and a message longer than one block.
        #expect(JA4KnownAnswer.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            JA4KnownAnswer.digest(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func ja4_specificationExample_matches() throws {
        // The worked example of the JA4 specification: its ciphers, extensions and signature
        // algorithms give t13d1516h2_8daaf6152771_e5627efa2ab1.
        var hello = try TLSClientHello(parsing: try FuzzSeedTests.seed("tls-clienthello")[(14 + 20 + 20)...].map { $0 })
        hello.cipherSuites = [
            0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D,
            0x002F, 0x0035,
        ]
        hello.extensions = [
            0x001B, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002D, 0x000D, 0x0005, 0x0023, 0x0012, 0x002B, 0xFF01,
            0x000B, 0x000A, 0x0015,
        ]
        hello.signatureAlgorithms = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
        hello.firstALPN = Array("h2".utf8)
        #expect(hello.ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        hello.firstALPN = [0x30, 0xAB]
        #expect(hello.ja4.hasPrefix("t13d15163b_"))
        hello.firstALPN = []
        #expect(hello.ja4.hasPrefix("t13d151600_"))
    }
}

/// SHA-256 is internal to PacketDecoding; its known answers are checked through the one public
/// place that exposes a digest: a JA4 `b` section is the digest of the cipher list text.
enum JA4KnownAnswer {
    static func digest(_ text: String) -> String { PacketDecodingTestHooks.sha256Hex(text) }
}
