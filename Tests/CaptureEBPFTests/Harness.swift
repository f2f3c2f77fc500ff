import CaptureEBPF
import LanscopeCore
import Testing

/// A loaded capture (not attached) that runs frames through the programs and collects what they hand up.
struct Harness {
    let capture: EBPFCapture

    init(
        mode: CaptureMode = .gateway, maxDevices: Int = 64, snapLength: Int = 1600, synRate: UInt32 = 50,
        synBurst: UInt32 = 100, dnsRate: UInt32 = 50, dnsBurst: UInt32 = 100, payloadRate: UInt32 = 50,
        payloadBurst: UInt32 = 100, ringBufferBytes: Int = 262_144
    ) throws {
        capture = try EBPFCapture.load(
            .init(
                interface: "unused", mode: mode, maxDevices: maxDevices, snapLength: snapLength,
                synRatePerSecond: synRate, synBurst: synBurst, dnsRatePerSecond: dnsRate, dnsBurst: dnsBurst,
                payloadRatePerSecond: payloadRate, payloadBurst: payloadBurst, ringBufferBytes: ringBufferBytes),
            logger: Privileged.logger)
    }

    /// Runs `frame` through `program`, expects the pass verdict, and returns the frames handed up.
    @discardableResult
    func run(
        _ program: ProgramKind, _ frame: [UInt8], repeat count: Int = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [EBPFFrame] {
        let result = try capture.testRun(program, frame: frame, repeat: count)
        let expected = program == .tc ? ProgramVerdict.tcActionOK : ProgramVerdict.xdpPass
        #expect(result.returnValue == expected, "program must never drop or redirect", sourceLocation: sourceLocation)
        return drain()
    }

    func drain() -> [EBPFFrame] {
        var frames: [EBPFFrame] = []
        for _ in 0..<10_000 {
            if capture.poll(timeout: .zero, { frames.append($0) }) == 0 { break }
        }
        return frames
    }

    func counters(_ mac: [UInt8]) -> TrafficCounters? {
        let address = MACAddress(octets: mac)
        return capture.readDeviceCounters().first { $0.mac == address }?.counters
    }

    func drops() -> [DropReason: UInt64] { capture.readDropCounters() }
}

/// Expected counters: each entry adds `packets` frames of `bytes` total to one class.
func expectedCounters(_ cells: [(TrafficDirection, IPFamily, L4Protocol, packets: UInt64, bytes: UInt64)])
    -> TrafficCounters
{
    var counters = TrafficCounters()
    for (direction, family, l4, packets, bytes) in cells {
        counters.byClass[TrafficClass(direction: direction, family: family, l4: l4), default: .init()]
            .add(PacketByteCount(packets: packets, bytes: bytes))
        if direction == .transmitted {
            counters.transmittedPackets += packets
            counters.transmittedBytes += bytes
        } else {
            counters.receivedPackets += packets
            counters.receivedBytes += bytes
        }
    }
    return counters
}

func zeroDrops(except changes: [DropReason: UInt64] = [:]) -> [DropReason: UInt64] {
    var drops = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0, UInt64(0)) })
    for (reason, value) in changes { drops[reason] = value }
    return drops
}

#if canImport(Glibc)
    import Glibc
#endif

func wallClockNow() -> Timestamp {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Timestamp(seconds: Int64(now.tv_sec), nanoseconds: Int64(now.tv_nsec))
}
