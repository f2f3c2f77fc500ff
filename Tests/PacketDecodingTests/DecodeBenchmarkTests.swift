import Foundation
import Testing
import LanscopeCore
import PacketDecoding

/// Opt-in throughput figure (`LANSCOPE_DECODE_BENCH=1`): decodes a mixed frame set in a loop and
/// prints frames per second. Prints only — timing never decides pass or fail.
@Suite struct DecodeBenchmarkTests {
    @Test func benchmark_printsFramesPerSecond_whenEnabled() throws {
        guard ProcessInfo.processInfo.environment["LANSCOPE_DECODE_BENCH"] == "1" else {
            print("SKIP benchmark: set LANSCOPE_DECODE_BENCH=1 (use -c release for meaningful numbers)")
            return
        }
        // Mostly plain TCP/UDP (the common path), some discovery, as on a busy LAN.
        typealias B = FrameBuilder
        let tcp = B.ethernet(source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
                             payload: B.ipv4Packet(source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
                                                   payload: B.tcp(sourcePort: 40000, destinationPort: 443, flags: 0x18)
                                                       + [UInt8](repeating: 0x55, count: 1400)))
        let udp = B.udpFrame(sourceMAC: "00:11:22:33:44:55", destinationMAC: "00:aa:bb:cc:dd:ee", sourceIP: "10.0.0.5",
                             destinationIP: "10.0.0.1", sourcePort: 50000, destinationPort: 443,
                             payload: [UInt8](repeating: 0, count: 1200))
        let tcp6 = B.ethernet(source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x86DD,
                              payload: B.ipv6Packet(source: "2001:db8::5", destination: "2001:db8::1", nextHeader: 6,
                                                    payload: B.tcp(sourcePort: 40000, destinationPort: 443, flags: 0x10)))
        let vlan = B.ethernet(source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
                              vlans: [(0x8100, 10)],
                              payload: B.ipv4Packet(source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
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
                            decoder.decode(buffer, wireLength: frame.count, time: Timestamp(nanoseconds: Int64(iteration)),
                                           into: &result)
                        }
                        checksum &+= Int(result.summary.destinationPort) &+ result.observations.count
                    }
                }
            }
            let frameCount = iterations * frames.count
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("decode benchmark, \(label): \(frameCount) frames in \(String(format: "%.3f", seconds)) s = "
                  + "\(Int(Double(frameCount) / seconds)) frames/s (checksum \(checksum))")
            #expect(checksum != 0)
        }
    }
}
