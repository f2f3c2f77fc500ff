import CapturePcap
import Foundation
import Glibc
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// Opt-in throughput figure (`LANSCOPE_DECODE_BENCH=1`): decodes a mixed frame set in a loop and
/// prints frames per second. Prints only — timing never decides pass or fail.
@Suite(.serialized) struct DecodeBenchmarkTests {
    @Test func benchmark_printsFramesPerSecond_whenEnabled() throws {
        guard ProcessInfo.processInfo.environment["LANSCOPE_DECODE_BENCH"] == "1" else {
            print("SKIP benchmark: set LANSCOPE_DECODE_BENCH=1 (use -c release for meaningful numbers)")
            return
        }
        // Mostly plain TCP/UDP (the common path), some discovery, as on a busy LAN.
        typealias B = FrameBuilder
        let tcp = B.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
            payload: B.ipv4Packet(
                source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
                payload: B.tcp(sourcePort: 40000, destinationPort: 443, flags: 0x18)
                    + [UInt8](repeating: 0x55, count: 1400)))
        let udp = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", destinationMAC: "00:aa:bb:cc:dd:ee", sourceIP: "10.0.0.5",
            destinationIP: "10.0.0.1", sourcePort: 50000, destinationPort: 443,
            payload: [UInt8](repeating: 0, count: 1200))
        let tcp6 = B.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x86DD,
            payload: B.ipv6Packet(
                source: "2001:db8::5", destination: "2001:db8::1", nextHeader: 6,
                payload: B.tcp(sourcePort: 40000, destinationPort: 443, flags: 0x10)))
        let vlan = B.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
            vlans: [(0x8100, 10)],
            payload: B.ipv4Packet(
                source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
                payload: B.tcp(sourcePort: 40000, destinationPort: 22, flags: 0x10)))
        var common = [tcp, tcp, tcp, udp, tcp6, vlan, tcp, udp]
        let seeds = try FuzzSeedTests.allSeeds.map(FuzzSeedTests.seed)
        var mixed = common
        for _ in 0..<3 { mixed += common }
        mixed += seeds.prefix(4)  // ~10% discovery frames
        common = Array(repeating: common, count: 4).flatMap { $0 }

        for (label, frames) in [("common path (TCP/UDP only)", common), ("mixed (~10% discovery)", mixed)] {
            let decoder = FrameDecoder(linkType: .ethernet)
            var result = DecodeResult()
            var checksum = 0
            let iterations = 2_000_000 / frames.count
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for iteration in 0..<iterations {
                    for frame in frames {
                        frame.withUnsafeBytes { buffer in
                            decoder.decode(
                                buffer, wireLength: frame.count, time: Timestamp(nanoseconds: Int64(iteration)),
                                into: &result)
                        }
                        checksum &+= Int(result.summary.destinationPort) &+ result.observations.count
                    }
                }
            }
            let frameCount = iterations * frames.count
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "decode benchmark, \(label): \(frameCount) frames in \(String(format: "%.3f", seconds)) s = "
                    + "\(Int(Double(frameCount) / seconds)) frames/s (checksum \(checksum))")
            #expect(checksum != 0)
        }
    }

    /// Replay: PcapFileReader + FrameDecoder over a large capture built from a corpus file (its
    /// packets repeated), against `tcpdump -r FILE -w /dev/null` on the same file in the same run.
    @Test(.needsCorpus) func replayBenchmark_printsPacketsPerSecond_whenEnabled() throws {
        guard ProcessInfo.processInfo.environment["LANSCOPE_DECODE_BENCH"] == "1" else {
            print("SKIP replay benchmark: set LANSCOPE_DECODE_BENCH=1")
            return
        }
        try Corpus.require()
        let (_, frames) = try Corpus.frames("mixed/ndpi__gnutella.pcap")
        func le32(_ v: Int) -> [UInt8] {
            [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
        }
        var file: [UInt8] = le32(0xA1B2_3C4D) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(262_144) + le32(1)
        var records: [UInt8] = []
        for frame in frames {
            let ns = Int(frame.time.nanoseconds)
            records +=
                le32(ns / 1_000_000_000) + le32(ns % 1_000_000_000) + le32(frame.bytes.count) + le32(frame.wireLength)
            records += frame.bytes
        }
        let copies = max(1, 1_000_000 / max(frames.count, 1))
        file.reserveCapacity(file.count + records.count * copies)
        for _ in 0..<copies { file += records }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lanscope-replay-bench-\(getpid()).pcap"
        ).path
        try Data(file).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }

        let clock = ContinuousClock()
        var packets = 0
        var discovery = 0
        let elapsed = try clock.measure {
            let reader = try PcapFileReader(path: path)
            let decoder = FrameDecoder(linkType: reader.linkType)
            var result = DecodeResult()
            try reader.forEachPacket { bytes, wireLength, time in
                decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
                if result.discovery != nil { discovery += 1 }
            }
            packets = reader.packetsRead
        }
        let rate = Double(packets) / Self.seconds(elapsed)
        print(
            "replay benchmark: \(packets) packets (\(discovery) discovery, \(file.count / 1_000_000) MB) read+decoded in "
                + "\(String(format: "%.3f", Self.seconds(elapsed))) s = \(Int(rate)) packets/s")

        guard
            let tcpdump = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            print("replay benchmark: tcpdump not installed, no reference")
            return
        }
        let reference = try clock.measure {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tcpdump)
            process.arguments = ["-r", path, "-w", "/dev/null"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        let referenceRate = Double(packets) / Self.seconds(reference)
        print(
            "replay benchmark: reference tcpdump -r FILE -w /dev/null \(Int(referenceRate)) packets/s; "
                + "lanscope/tcpdump ratio \(String(format: "%.2f", rate / referenceRate))")
        #expect(packets == frames.count * copies)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
