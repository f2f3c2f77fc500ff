import CaptureEBPF
import LanscopeCore
import TestSupport
import Testing

/// UDP port 10001 through the loaded programs: Ubiquiti discovery is handed up whole (unrated, like the
/// other discovery frames), but the port is not Ubiquiti's, so a datagram whose first bytes are not its
/// header (version 1 or 2, a length that fits the frame) is only counted.
@Suite(.needsRoot)
struct UbiquitiHandUpPrivilegedTests {
    /// A request as discovery tools broadcast it, and a short version 2 announcement (hostname TLV).
    static let request: [UInt8] = [1, 0, 0, 0]
    static let announcement: [UInt8] = [2, 6, 0, 7, 11, 0, 4] + Array("unifi".utf8.prefix(4))

    static func datagram(_ payload: [UInt8], sourcePort: Int = 50000, destinationPort: Int = 10001) -> [UInt8] {
        Frame.udpDatagram(
            sourceMAC: Frame.deviceA, sourcePort: sourcePort, destinationPort: destinationPort, payload: payload)
    }

    @Test(arguments: [ProgramKind.xdp, .tc])
    func ubiquitiDiscovery_isDeliveredWhole_eitherWay(kind: ProgramKind) throws {
        let harness = try Harness()
        let frames = [
            Self.datagram(Self.request), Self.datagram(Self.announcement),
            Self.datagram(Self.announcement, sourcePort: 10001, destinationPort: 50000),
        ]
        for frame in frames {
            #expect(try harness.run(kind, frame).map(\.bytes) == [frame])
        }
        #expect(harness.drops() == zeroDrops())
    }

    @Test(arguments: [ProgramKind.xdp, .tc])
    func otherTrafficOnPort10001_isCountedButNotDelivered(kind: ProgramKind) throws {
        let harness = try Harness()
        let rtp = Self.datagram([0x80, 0x60, 0x12, 0x34] + Frame.pseudoRandomBytes(count: 160, seed: 7))
        let pastTheEnd = Self.datagram([2, 6, 0x01, 0x00, 11, 0, 4, 0x61])
        // Longer than a TC test run takes (one page): only through XDP (multi-buffer).
        let overTheCap = Self.datagram([2, 6, 0x10, 0x00] + [UInt8](repeating: 0, count: 4096))
        let short = Self.datagram([2, 6, 0])
        let answerLike = Self.datagram([0x47, 0x45, 0x54, 0x20], sourcePort: 10001, destinationPort: 50000)
        let frames = [rtp, pastTheEnd, short, answerLike] + (kind == .xdp ? [overTheCap] : [])
        for frame in frames {
            #expect(try harness.run(kind, frame).isEmpty)
        }
        let bytes = UInt64(frames.reduce(0) { $0 + $1.count })
        // Ingress counts the sender, egress the receiver: every frame counted either way.
        let counted = try #require(harness.counters(kind == .xdp ? Frame.deviceA : Frame.gateway))
        #expect((kind == .xdp ? counted.transmittedPackets : counted.receivedPackets) == UInt64(frames.count))
        #expect((kind == .xdp ? counted.transmittedBytes : counted.receivedBytes) == bytes)
        #expect(harness.drops() == zeroDrops())
    }

    /// A DNS query that leaves from port 10001 (an ephemeral port on some systems) takes the DNS path.
    @Test func xdp_dnsQueryFromPort10001_isDeliveredAsAQuery() throws {
        let harness = try Harness()
        let query = Self.datagram(
            Frame.dnsMessage(name: "unifi.example.com"), sourcePort: 10001, destinationPort: 53)
        #expect(try harness.run(.xdp, query).map(\.bytes) == [query])
    }
}
