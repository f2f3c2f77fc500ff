import CapturePcap
import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// PcapFileReader on files written here (pcap headers built by hand) and on corpus files.
@Suite struct PcapFileReaderTests {
    /// A classic pcap file: global header + records. `nanosecond` picks the 0xa1b23c4d magic.
    static func pcapFile(
        linkType: UInt32, nanosecond: Bool = false,
        packets: [(seconds: UInt32, fraction: UInt32, bytes: [UInt8], wire: Int)]
    ) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] {
            [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        var file =
            le32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(65535)
            + le32(linkType)
        for packet in packets {
            file +=
                le32(packet.seconds) + le32(packet.fraction) + le32(UInt32(packet.bytes.count))
                + le32(UInt32(packet.wire))
            file += packet.bytes
        }
        return file
    }

    static func temporaryFile(_ bytes: [UInt8], name: String = #function) throws -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lanscope-\(safe)-\(getpid()).pcap")
            .path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let arpFrame = FrameBuilder.ethernet(
        source: "00:11:22:33:44:55", etherType: 0x0806,
        payload: FrameBuilder.arp(
            operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "10.0.0.5",
            targetMAC: "00:00:00:00:00:00", targetIP: "10.0.0.1"))

    @Test func reader_deliversPacketsWithNanosecondTime_forNanosecondFile() throws {
        let path = try Self.temporaryFile(
            Self.pcapFile(
                linkType: 1, nanosecond: true,
                packets: [
                    (1_700_000_000, 123_456_789, Self.arpFrame, 60),
                    (1_700_000_001, 5, Array(Self.arpFrame.prefix(20)), 42),
                ]))
        defer { unlink(path) }
        let reader = try PcapFileReader(path: path)
        #expect(reader.linkType == .ethernet)
        var seen: [([UInt8], Int, Timestamp)] = []
        try reader.forEachPacket { bytes, wireLength, time in seen.append((Array(bytes), wireLength, time)) }
        #expect(reader.packetsRead == 2)
        #expect(seen.count == 2)
        #expect(seen[0].0 == Self.arpFrame)
        #expect(seen[0].1 == 60)
        #expect(seen[0].2 == Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789))
        #expect(seen[1].0.count == 20)
        #expect(seen[1].1 == 42)
        #expect(seen[1].2 == Timestamp(seconds: 1_700_000_001, nanoseconds: 5))
    }

    @Test func reader_scalesMicroseconds_forMicrosecondFile() throws {
        let path = try Self.temporaryFile(
            Self.pcapFile(linkType: 113, packets: [(10, 250_000, [UInt8](repeating: 0, count: 16), 16)]))
        defer { unlink(path) }
        let reader = try PcapFileReader(path: path)
        #expect(reader.linkType == .linuxSLL)
        var times: [Timestamp] = []
        try reader.forEachPacket { _, _, time in times.append(time) }
        #expect(times == [Timestamp(seconds: 10, nanoseconds: 250_000_000)])
    }

    @Test func reader_reportsTruncation_afterDeliveringCompletePackets() throws {
        let whole = Self.pcapFile(
            linkType: 1, packets: [(1, 0, Self.arpFrame, 42), (2, 0, Self.arpFrame, 42), (3, 0, Self.arpFrame, 42)])
        let path = try Self.temporaryFile(Array(whole.dropLast(10)))
        defer { unlink(path) }
        let reader = try PcapFileReader(path: path)
        var delivered = 0
        #expect {
            try reader.forEachPacket { _, _, _ in delivered += 1 }
        } throws: { error in
            guard case .truncated(let errorPath, let count, _) = error as? PcapFileError else { return false }
            return errorPath == path && count == 2 && "\(error)".contains("truncated after 2 packets")
        }
        #expect(delivered == 2)
        #expect(reader.packetsRead == 2)
    }

    @Test func reader_throwsCannotOpen_forMissingFile() {
        #expect {
            _ = try PcapFileReader(path: "/nonexistent/lanscope/missing.pcap")
        } throws: { error in
            guard case .cannotOpen(_, let reason) = error as? PcapFileError else { return false }
            return reason.contains("No such file or directory")
        }
    }

    @Test func reader_throwsNotACaptureFile_forText() throws {
        let path = try Self.temporaryFile(Array("this is not a capture file, just some text to read".utf8))
        defer { unlink(path) }
        #expect {
            _ = try PcapFileReader(path: path)
        } throws: { error in
            guard case .notACaptureFile = error as? PcapFileError else { return false }
            return "\(error)".contains("is not a pcap or pcapng capture file")
        }
    }

    @Test func reader_namesLinkType_forUnsupportedLinkType() throws {
        let path = try Self.temporaryFile(Self.pcapFile(linkType: 127, packets: []))
        defer { unlink(path) }
        #expect {
            _ = try PcapFileReader(path: path)
        } throws: { error in
            // libpcap's own name for LINKTYPE_IEEE802_11_RADIOTAP.
            guard case .unsupportedLinkType(_, 127, "IEEE802_11_RADIO") = error as? PcapFileError else { return false }
            return "\(error)"
                == "unsupported link type 127 (IEEE802_11_RADIO) in \(path): lanscope reads Ethernet and Linux cooked captures"
        }
    }

    @Test func reader_handsFramesToDecoder_withoutCopying() throws {
        let path = try Self.temporaryFile(Self.pcapFile(linkType: 1, packets: [(1, 0, Self.arpFrame, 60)]))
        defer { unlink(path) }
        let reader = try PcapFileReader(path: path)
        let decoder = FrameDecoder(linkType: reader.linkType)
        var result = DecodeResult()
        var observations: [Observation] = []
        try reader.forEachPacket { bytes, wireLength, time in
            decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
            observations += result.observations
        }
        #expect(
            observations == [
                Observation(
                    mac: MACAddress("00:11:22:33:44:55")!, time: Timestamp(seconds: 1),
                    fact: .address(.v4(IPv4Address("10.0.0.5")!), via: .arp))
            ])
    }

    // MARK: cooked captures in the corpus

    @Test(
        .needsTshark,
        arguments: [
            ("mixed/pcpp__sll.pcap", LinkType.linuxSLL), ("mdns/packetnet__LinuxCookedCapturev2.pcap", .linuxSLL2),
            ("arp/zeek__linuxsll-arp.pcap", .linuxSLL),
        ])
    func cookedCapture_sourceMACs_matchTshark(file: String, linkType: LinkType) throws {
        try Tshark.require()
        let rows = try Tshark.fields(file, ["sll.src.eth", "sll.hatype", "sll.etype", "ip.src", "ipv6.src"])
        let (readType, frames) = try Corpus.frames(file)
        #expect(readType == linkType)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number] else { continue }
            let summary = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time).summary
            if let mac = row["sll.src.eth"]?.first {
                #expect(summary.source.description == mac, "\(file) frame \(frame.number)")
            } else {
                #expect(summary.source == .zero, "\(file) frame \(frame.number): no Ethernet address")
            }
            #expect(summary.destination == .zero)
            if let ip = row["ip.src"]?.first {
                #expect(summary.sourceIP?.description == ip, "\(file) frame \(frame.number)")
            }
            if let ip = row["ipv6.src"]?.first {
                #expect(summary.sourceIP?.description == ip, "\(file) frame \(frame.number)")
            }
            compared += 1
        }
        #expect(compared == frames.count && compared > 0)
    }
}
