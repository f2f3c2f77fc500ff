import Foundation
import LanscopeCore
import PacketDecoding
import Testing

/// The crafted frames under Fixtures/fuzz-seeds (seed corpus for FuzzDecoders) double as fixtures:
/// each decodes to the discovery protocol and facts it was built to carry, and survives every
/// truncation and every link type.
@Suite struct FuzzSeedTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-seeds")

    static func seed(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name + ".bin")))
    }

    static let allSeeds: [String] =
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
        .filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) }.sorted() ?? []

    static let seedMAC = MACAddress("00:11:22:33:44:55")!

    @Test func seeds_exist() {
        #expect(Self.allSeeds.count >= 15)
    }

    @Test(arguments: [
        ("arp-request", DiscoveryProtocol.arp), ("arp-qinq", .arp), ("dhcp-discover", .dhcp), ("dhcp-ack", .dhcp),
        ("mdns-response", .mdns), ("mdns-query", .mdns), ("ssdp-notify", .ssdp), ("ssdp-msearch", .ssdp),
        ("ssdp-response", .ssdp), ("ndp-ns", .ndp), ("ndp-na", .ndp), ("ndp-ra", .ndp), ("ipv6-extensions-udp", .mdns),
        ("lldp", .lldp), ("cdp", .cdp), ("nbns-registration", .nbns), ("wsd-hello", .wsd),
        ("ubnt-announcement", .ubnt),
    ])
    func seed_decodesToItsProtocol(name: String, discovery: DiscoveryProtocol) throws {
        let result = FrameDecoder(linkType: .ethernet).decode(try Self.seed(name))
        #expect(result.discovery == discovery)
        #expect(result.error == nil, "\(name): \(String(describing: result.error))")
    }

    @Test func dhcpDiscoverSeed_yieldsFingerprintAndFQDN() throws {
        let result = FrameDecoder(linkType: .ethernet).decode(try Self.seed("dhcp-discover"))
        let fingerprint = DHCPClientFingerprint(
            messageType: 1, parameterRequestList: [1, 3, 6, 15, 119, 252],
            vendorClass: "lanscope-seed 1.0", clientIdentifier: [1, 0, 0x11, 0x22, 0x33, 0x44, 0x55],
            maxMessageSize: 1500, requestedAddress: IPv4Address("192.168.7.10"))
        #expect(result.observations.map(\.fact) == [.dhcpClient(fingerprint), .hostname("seed-host", via: .dhcp)])
    }

    @Test func lldpSeed_describesSender() throws {
        let result = FrameDecoder(linkType: .ethernet).decode(try Self.seed("lldp"))
        #expect(result.discovery == .lldp)
        #expect(
            result.observations.map(\.fact) == [
                .hostname("seed-switch", via: .lldp), .software("SeedOS 1.0 switch", via: .lldp),
                .address(.v4(IPv4Address("192.168.7.2")!), via: .lldp),
            ])
        #expect(result.observations.allSatisfy { $0.mac == Self.seedMAC })
    }

    @Test func cdpSeed_describesSender_throughSNAP() throws {
        let result = FrameDecoder(linkType: .ethernet).decode(try Self.seed("cdp"))
        #expect(result.discovery == .cdp)
        #expect(result.summary.etherType == 0x2000)
        #expect(
            result.observations.map(\.fact) == [
                .hostname("seed-router", via: .cdp), .software("seed 2811", via: .cdp),
                .address(.v4(IPv4Address("192.168.7.1")!), via: .cdp),
                .inventory(DeviceInventory(via: .cdp, model: "seed 2811", softwareRevision: "SeedIOS 15.1\nline two")),
            ])
    }

    @Test func nbnsRegistrationSeed_namesSender() throws {
        let result = FrameDecoder(linkType: .ethernet).decode(try Self.seed("nbns-registration"))
        #expect(result.discovery == .nbns)
        #expect(
            result.observations == [
                Observation(mac: Self.seedMAC, time: .zero, fact: .hostname("SEEDPC", via: .nbns)),
                Observation(
                    mac: Self.seedMAC, time: .zero, fact: .address(.v4(IPv4Address("192.168.7.10")!), via: .nbns)),
            ])
        // The same packet as a query (opcode 0) names what is looked for, not the asker.
        var query = try Self.seed("nbns-registration")
        query[14 + 20 + 8 + 2] &= 0x87
        #expect(FrameDecoder(linkType: .ethernet).decode(query).observations.isEmpty)
    }

    @Test func mdnsPointerLoopSeed_isAnErrorNotAHang() throws {
        let result = FrameDecoder(linkType: .ethernet).decode(try Self.seed("mdns-pointer-loop"))
        #expect(result.error?.layer == .mdns)
        #expect(result.observations.isEmpty)
    }

    @Test func cookedSeeds_attributeToCookedSourceAddress() throws {
        for (name, linkType) in [("sll-mdns", LinkType.linuxSLL), ("sll2-mdns", .linuxSLL2)] {
            let result = FrameDecoder(linkType: linkType).decode(try Self.seed(name))
            #expect(result.summary.source == Self.seedMAC, "\(name)")
            #expect(
                result.observations.contains(
                    Observation(mac: Self.seedMAC, time: .zero, fact: .hostname("seed", via: .mdns))),
                "\(name)")
            #expect(
                result.observations.contains {
                    if case .service(let service) = $0.fact {
                        return service.type == "_ipp._tcp" && service.name == "Seed Printer" && service.port == 631
                            && service.txt.first == TXTEntry(key: "ty", value: "Seed")
                    }
                    return false
                }, "\(name)")
        }
    }

    @Test(arguments: allSeeds)
    func seed_survivesEveryTruncationAndLinkType(name: String) throws {
        let bytes = try Self.seed(name)
        for linkType in [LinkType.ethernet, .linuxSLL, .linuxSLL2] {
            let decoder = FrameDecoder(linkType: linkType)
            var result = DecodeResult()
            for length in 0...bytes.count {
                bytes.withUnsafeBytes { buffer in
                    decoder.decode(
                        UnsafeRawBufferPointer(rebasing: buffer[..<length]), wireLength: bytes.count, time: .zero,
                        into: &result)
                }
                #expect(result.observations.allSatisfy { $0.mac.isUnicastDevice })
            }
        }
    }
}
