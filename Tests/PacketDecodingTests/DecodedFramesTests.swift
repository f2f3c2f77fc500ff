import LanscopeCore
import TestSupport
import Testing

@testable import PacketDecoding

/// A batch of frames decoded ahead gives each frame back as its own `DecodeResult` held it: the
/// summary, the discovery protocol, the error, and exactly its observations, in order.
@Suite struct DecodedFramesTests {
    let decoder = FrameDecoder(linkType: .ethernet)
    typealias B = FrameBuilder

    /// Frames with none, one and several observations, a non-discovery frame and one that fails.
    static let frames: [[UInt8]] = [
        B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", destinationMAC: "01:00:5e:00:00:fb", sourceIP: "192.168.1.50",
            destinationIP: "224.0.0.251", sourcePort: 5353, destinationPort: 5353,
            payload: MDNSRepeatsTests.announcement()),
        B.udpFrame(
            sourceMAC: "00:11:22:33:44:66", destinationMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.51",
            destinationIP: "192.168.1.50", sourcePort: 40000, destinationPort: 443, payload: [1, 2, 3]),
        [0x00, 0x11, 0x22],  // shorter than an Ethernet header
        B.udpFrame(
            sourceMAC: "00:11:22:33:44:77", destinationMAC: "01:00:5e:00:00:fb", sourceIP: "192.168.1.52",
            destinationIP: "224.0.0.251", sourcePort: 5353, destinationPort: 5353,
            payload: MDNSRepeatsTests.announcement(port: 9100)),
    ]

    @Test func decodedFrames_eachFrame_asItsDecodeResultHeldIt() throws {
        var batch = DecodedFrames(reservingCapacity: 2)
        var result = DecodeResult()
        var expected: [DecodeResult] = []
        for (i, frame) in Self.frames.enumerated() {
            let time = Timestamp(seconds: 1_700_000_000 + Int64(i))
            frame.withUnsafeBytes { decoder.decode($0, wireLength: frame.count + 4, time: time, into: &result) }
            batch.append(result, wireLength: frame.count + 4, time: time)
            expected.append(result)
        }
        try #require(batch.count == Self.frames.count)
        #expect(expected.map(\.observations.count) == [3, 0, 0, 3])
        #expect(expected[2].error != nil)
        for i in 0..<batch.count {
            let frame = batch.frames[i]
            #expect(Array(batch.observations(of: i)) == expected[i].observations)
            #expect(frame.summary == expected[i].summary)
            #expect(frame.discovery == expected[i].discovery)
            #expect(batch.error(of: i) == expected[i].error)
            #expect(frame.failed == (expected[i].error != nil))
            #expect(frame.wireLength == Self.frames[i].count + 4)
            #expect(frame.time == Timestamp(seconds: 1_700_000_000 + Int64(i)))
        }
        #expect(batch.observations.count == 6)
    }

    @Test func decodedFrames_errors_eachWithItsFrame_andTheBatchTotals() throws {
        var batch = DecodedFrames()
        var result = DecodeResult()
        var expected: [DecodeFailure?] = []
        var bytes: UInt64 = 0
        for round in 0..<5 {
            for (i, frame) in Self.frames.enumerated() {
                let time = Timestamp(seconds: 1_700_000_000 + Int64(round * 10 + i))
                frame.withUnsafeBytes { decoder.decode($0, wireLength: frame.count, time: time, into: &result) }
                batch.append(result, wireLength: frame.count, time: time)
                expected.append(result.error)
                bytes += UInt64(frame.count)
            }
        }
        #expect(expected.filter { $0 != nil }.count == 5)
        for i in 0..<batch.count {
            #expect(batch.error(of: i) == expected[i])
            #expect(batch.frames[i].failed == (expected[i] != nil))
        }
        #expect(batch.wireBytes == bytes)
        #expect(batch.firstTime == Timestamp(seconds: 1_700_000_000))
        #expect(batch.lastTime == Timestamp(seconds: 1_700_000_000 + 43))
    }

    @Test func decodedFrames_empty_holdsNothing() {
        let batch = DecodedFrames()
        #expect(batch.isEmpty)
        #expect(batch.count == 0)
        #expect(batch.observations.isEmpty)
        #expect(batch.wireBytes == 0)
        #expect(batch.firstTime == nil && batch.lastTime == nil)
    }
}
