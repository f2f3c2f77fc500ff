import CapturePcap
import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// Every file of the corpus through PcapFileReader + FrameDecoder: readable Ethernet and cooked
/// captures yield packets, other link types fail with a clear error, nothing traps.
@Suite struct CorpusWalkTests {
    @Test(.needsCorpus) func corpus_decodesWithoutCrash_forEveryFile() throws {
        try Corpus.require()
        let entries = Corpus.manifest
        #expect(entries.count > 200, "manifest lists the corpus")
        var totalFrames = 0
        var discoveryFrames = 0
        var errorFrames = 0
        var observations = 0
        var rejected = 0
        var errorsByLayer: [String: Int] = [:]
        for entry in entries {
            guard let url = Corpus.url(entry.path) else { continue }
            let supported = entry.linkTypes.allSatisfy { [1, 113, 276].contains($0) }
            let reader: PcapFileReader
            do {
                reader = try PcapFileReader(path: url.path)
            } catch {
                #expect(!supported, "\(entry.path): \(error)")
                if case .unsupportedLinkType(_, _, let name) = error {
                    #expect(!name.isEmpty)
                    #expect("\(error)".contains("lanscope reads Ethernet and Linux cooked captures"))
                } else {
                    Issue.record("\(entry.path): expected an unsupported-link-type error, got \(error)")
                }
                rejected += 1
                continue
            }
            #expect(supported, "\(entry.path) opened although its link type is \(entry.linkTypes)")
            let decoder = FrameDecoder(linkType: reader.linkType)
            var result = DecodeResult()
            do {
                try reader.forEachPacket { bytes, wireLength, time in
                    decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
                    if result.discovery != nil { discoveryFrames += 1 }
                    if let error = result.error {
                        errorFrames += 1
                        errorsByLayer[
                            error.layer.rawValue + ": " + error.reason.prefix(while: { $0 != ":" && !$0.isNumber }),
                            default: 0] += 1
                    }
                    observations += result.observations.count
                    #expect(result.observations.allSatisfy { $0.mac.isUnicastDevice })
                }
            } catch {
                // Truncated files still deliver what precedes the damage.
                #expect(reader.packetsRead > 0 || entry.isMalformed, "\(entry.path): \(error)")
            }
            #expect(reader.packetsRead > 0, "\(entry.path): no packets")
            if !entry.isMalformed && entry.packets > 0 {
                #expect(reader.packetsRead == entry.packets, "\(entry.path): manifest says \(entry.packets) packets")
            }
            totalFrames += reader.packetsRead
        }
        print(
            "corpus walk: \(entries.count) files, \(rejected) rejected link types, \(totalFrames) frames, "
                + "\(discoveryFrames) discovery frames, \(errorFrames) with decode errors, \(observations) observations"
        )
        for (reason, count) in errorsByLayer.sorted(by: { $0.value > $1.value }) {
            print("  decode errors \(count)× \(reason)")
        }
        #expect(rejected == entries.filter { !$0.linkTypes.allSatisfy { [1, 113, 276].contains($0) } }.count)
        #expect(totalFrames > 10_000)
        #expect(observations > 100)
    }

    @Test(.needsCorpus) func malformedFiles_decodeEveryFrameAndTruncation_withoutCrash() throws {
        try Corpus.require()
        let malformed = Corpus.manifest.filter(\.isMalformed)
        #expect(!malformed.isEmpty)
        for entry in malformed {
            guard let (linkType, frames) = try? Corpus.frames(entry.path) else { continue }
            let decoder = FrameDecoder(linkType: linkType)
            for frame in frames {
                // The frame itself and every prefix of it.
                for length in stride(from: frame.bytes.count, through: 0, by: -1) {
                    let result = decoder.decode(
                        Array(frame.bytes[..<length]), wireLength: frame.wireLength, time: frame.time)
                    #expect(result.summary.wireLength == frame.wireLength)
                }
            }
        }
    }

    @Test(
        .needsCorpus,
        arguments: [
            "dhcp/zeek__dhcp.pcap", "mdns/zeek__mdns.pcap", "ssdp/zeek__raw_packets.pcap", "arp/zeek__arp-who-has.pcap",
            "ndp/zeek__icmp6-nd-options.pcap", "vlan/zeek__http-qinq-0.pcap", "mixed/ndpi__iphone.pcap",
        ])
    func realFrames_neverTrap_forEveryTruncationLength(file: String) throws {
        try Corpus.require()
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var result = DecodeResult()
        for frame in frames.prefix(200) {
            for length in 0..<frame.bytes.count {
                frame.bytes.withUnsafeBytes { buffer in
                    decoder.decode(
                        UnsafeRawBufferPointer(rebasing: buffer[..<length]), wireLength: frame.wireLength,
                        time: frame.time, into: &result)
                }
                // A cut discovery payload is an error, never a partial fact list.
                if result.discovery != nil && length < frame.bytes.count && result.error == nil {
                    let full = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
                    #expect(
                        result.observations.allSatisfy { full.observations.contains($0) },
                        "\(file) frame \(frame.number) cut at \(length)")
                }
            }
        }
    }
}
