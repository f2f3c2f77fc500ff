@_spi(Benchmark) import CaptureEBPF
import Foundation
import LanscopeCore
import TestSupport
import Testing

/// Opt-in (LANSCOPE_BPF_BENCH=1, see Tests/Benchmarks/bench-bpf.sh): per-packet cost of the programs next to
/// a trivial XDP_PASS program measured in the same run, and the scrape-side map read for 10,000
/// devices. Prints figures and ratios; asserts only that the runs did what they claim, never timings.
@Suite(
    .enabled(if: ProcessInfo.processInfo.environment["LANSCOPE_BPF_BENCH"] == "1", "set LANSCOPE_BPF_BENCH=1 to run"),
    .needsRoot, .serialized)
struct BPFBenchmarkPrivilegedTests {
    static let repeatCount = 1_000_000

    static var frames: [(String, [UInt8])] {
        let ipv6TCP = Frame.ethernet(
            destination: Frame.gateway, source: Frame.deviceA, etherType: 0x86DD,
            payload: Frame.ipv6(
                nextHeader: 6,
                payload: Frame.tcp(
                    source: 40000, destination: 443, flags: Frame.tcpACK,
                    payload: [UInt8](repeating: 1, count: 200))))
        return [
            (
                "tcp data (ipv4)",
                Frame.tcpFrame(
                    destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpACK,
                    payload: [UInt8](repeating: 1, count: 1200))
            ),
            (
                "udp (ipv4)",
                Frame.udpFrame(
                    destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, sourcePort: 40000,
                    destinationPort: 443, payload: [UInt8](repeating: 2, count: 100))
            ),
            ("tcp data (ipv6)", ipv6TCP),
            ("arp (hand-up)", Frame.arpRequest(from: Frame.deviceA)),
            (
                "dhcp (hand-up)",
                Frame.udpFrame(
                    destinationMAC: Frame.broadcast, sourceMAC: Frame.deviceA, sourcePort: 68,
                    destinationPort: 67, payload: Frame.dhcpMessage(optionBytes: 60, clientMAC: Frame.deviceA))
            ),
        ]
    }

    @Test func programs_perPacketCost_againstXDPPassFloor() throws {
        let loadStart = ContinuousClock.now
        let capture = try EBPFCapture.load(.init(interface: "unused"), logger: Privileged.logger)
        let loadTime = ContinuousClock.now - loadStart
        print("bench-bpf: load (open + verifier) \(loadTime)")
        var xdpTotal = 0.0
        var tcTotal = 0.0
        var floorTotal = 0.0
        var countedXDP = 0.0
        var countedTC = 0.0
        var countedFloor = 0.0
        var countedFrames = 0.0
        print("bench-bpf: frame                 bytes   xdp_pass ns   xdp ns   tc ns   xdp/floor   tc/floor")
        for (name, frame) in Self.frames {
            let floor = try capture.testRun(.xdpPass, frame: frame, repeat: Self.repeatCount)
            let xdp = try capture.testRun(.xdp, frame: frame, repeat: Self.repeatCount)
            let tc = try capture.testRun(.tc, frame: frame, repeat: Self.repeatCount)
            #expect(floor.returnValue == ProgramVerdict.xdpPass)
            #expect(xdp.returnValue == ProgramVerdict.xdpPass)
            #expect(tc.returnValue == ProgramVerdict.tcActionOK)
            if !name.contains("hand-up") {
                countedXDP += Double(xdp.nanosecondsPerRun)
                countedTC += Double(tc.nanosecondsPerRun)
                countedFloor += Double(floor.nanosecondsPerRun)
                countedFrames += 1
            }
            floorTotal += Double(floor.nanosecondsPerRun)
            xdpTotal += Double(xdp.nanosecondsPerRun)
            tcTotal += Double(tc.nanosecondsPerRun)
            print(
                String(
                    format: "bench-bpf: %@ %6d %12d %8d %7d %11.2f %10.2f", Self.column(name) as NSString, frame.count,
                    floor.nanosecondsPerRun, xdp.nanosecondsPerRun, tc.nanosecondsPerRun,
                    Double(xdp.nanosecondsPerRun) / Double(max(1, floor.nanosecondsPerRun)),
                    Double(tc.nanosecondsPerRun) / Double(max(1, floor.nanosecondsPerRun))))
        }
        let count = Double(Self.frames.count)
        print(
            String(
                format:
                    "bench-bpf: mixed mean: xdp_pass %.1f ns, xdp %.1f ns (%.2fx floor, +%.1f ns), tc %.1f ns (%.2fx floor)",
                floorTotal / count, xdpTotal / count, xdpTotal / floorTotal, (xdpTotal - floorTotal) / count,
                tcTotal / count, tcTotal / floorTotal))
        print(
            String(
                format:
                    "bench-bpf: counted-only frames (no hand-up) mean: xdp_pass %.1f ns, xdp %.1f ns (+%.1f ns over floor), tc %.1f ns (+%.1f ns)",
                countedFloor / countedFrames, countedXDP / countedFrames, (countedXDP - countedFloor) / countedFrames,
                countedTC / countedFrames, (countedTC - countedFloor) / countedFrames))
        // The same runs again with the kernel's run-time accounting on: time inside each program
        // alone, without the BPF_PROG_TEST_RUN loop around it (each run pays two clock reads).
        let statistics = try RunTimeStatistics()
        var inside: [ProgramKind: (all: Double, counted: Double)] = [:]
        print(
            "bench-bpf: kernel run-time accounting (bpf_stats), ns inside the program per run (two clock reads included):"
        )
        print("bench-bpf: frame                 xdp_pass ns   xdp ns   tc ns")
        for (name, frame) in Self.frames {
            var row: [ProgramKind: Double] = [:]
            for program in [ProgramKind.xdpPass, .xdp, .tc] {
                let before = try capture.runStats(program)
                _ = try capture.testRun(program, frame: frame, repeat: Self.repeatCount)
                let after = try capture.runStats(program)
                #expect(after.runCount - before.runCount == UInt64(Self.repeatCount))
                let perRun = after.nanosecondsPerRun(since: before)
                row[program] = perRun
                inside[program, default: (0, 0)].all += perRun
                if !name.contains("hand-up") { inside[program, default: (0, 0)].counted += perRun }
            }
            print(
                String(
                    format: "bench-bpf: %@ %12.1f %8.1f %7.1f", Self.column(name) as NSString, row[.xdpPass]!,
                    row[.xdp]!, row[.tc]!))
        }
        withExtendedLifetime(statistics) {}
        let insideFloor = inside[.xdpPass]!.counted / countedFrames
        let insideXDP = inside[.xdp]!.counted / countedFrames
        let insideTC = inside[.tc]!.counted / countedFrames
        print(
            String(
                format:
                    "bench-bpf: bpf_stats counted-only frames mean: xdp_pass %.1f ns, xdp %.1f ns (+%.1f ns over floor), tc %.1f ns (+%.1f ns); all frames: xdp %.1f ns, tc %.1f ns",
                insideFloor, insideXDP, insideXDP - insideFloor, insideTC, insideTC - insideFloor,
                inside[.xdp]!.all / count, inside[.tc]!.all / count))

        let drops = capture.readDropCounters()
        print(
            "bench-bpf: hand-up records beyond the perf buffer: buffer_full \(drops[.bufferFull] ?? 0) (nobody polled during the runs)"
        )
        let counted = capture.readDeviceCounters().first { $0.mac == MACAddress(octets: Frame.deviceA)! }
        // Each frame ran through XDP (the device's transmit direction) twice: timed, then with stats.
        #expect(counted?.counters.transmittedPackets == UInt64(Self.repeatCount * Self.frames.count * 2))
    }

    static let baselinePath = ProcessInfo.processInfo.environment["LANSCOPE_BPF_BASELINE_OBJECT"]

    /// Frames for the before/after comparison: ordinary counted ones, then the ones the hand-up of
    /// DNS queries and first payload segments looks at.
    static var comparisonFrames: [(String, [UInt8])] {
        let ordinary = frames.filter { !$0.0.contains("hand-up") }
        return ordinary + [
            (
                "tcp ack (ipv4)",
                Frame.tcpFrame(destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpACK)
            ),
            (
                "dns query (ipv4)",
                Frame.udpDatagram(
                    sourceMAC: Frame.deviceA, sourcePort: 51000, destinationPort: 53,
                    payload: Frame.dnsMessage(name: "device-cloud.example.com"))
            ),
            (
                "tls clienthello",
                Frame.tcpSegment(
                    sourceMAC: Frame.deviceA, payload: Frame.tlsClientHello(serverName: "camera-p2p.example.net"))
            ),
            (
                "http get",
                Frame.tcpSegment(
                    sourceMAC: Frame.deviceA, destinationPort: 80, payload: Frame.httpRequest(method: "GET"))
            ),
        ]
    }

    /// The embedded programs next to a baseline build of them (LANSCOPE_BPF_BASELINE_OBJECT: an object
    /// file compiled from an earlier commit, see bench-bpf.sh BPF_BASELINE), frame by frame and round
    /// by round so both see the same machine load: the delta is the median over rounds of each round's
    /// after − before (paired, so a load change between rounds cancels; which runs first alternates),
    /// over LANSCOPE_BPF_ROUNDS rounds (default 15) of 1,000,000 runs. "after" runs
    /// with the default limits, so past each device's burst a DNS query or ClientHello takes the
    /// rate-limited path; "hand-up" with limits of 10^6/s, so every one is copied (and, with nobody
    /// polling, counted as buffer_full once the perf buffer is full, as the ARP/DHCP rows above).
    @Test(.enabled(if: baselinePath != nil, "set LANSCOPE_BPF_BASELINE_OBJECT (bench-bpf.sh: BPF_BASELINE=REV)"))
    func programs_perPacketCost_againstBaselineBuild() throws {
        let baseline = try BenchmarkObject(path: try #require(Self.baselinePath))
        let current = try EBPFCapture.load(.init(interface: "unused"), logger: Privileged.logger)
        let handingUp = try EBPFCapture.load(
            .init(
                interface: "unused", dnsRatePerSecond: 1_000_000, dnsBurst: 1_000_000, payloadRatePerSecond: 1_000_000,
                payloadBurst: 1_000_000),
            logger: Privileged.logger)
        let rounds = ProcessInfo.processInfo.environment["LANSCOPE_BPF_ROUNDS"].flatMap { Int($0) } ?? 15
        print(
            "bench-bpf: before = \(baseline.path); medians of \(rounds) interleaved rounds, ns per run (BPF_PROG_TEST_RUN); delta = median of the rounds' after - before"
        )
        print(
            "bench-bpf: frame                 floor  xdp before  after  hand-up   delta |  tc before  after  hand-up   delta"
        )
        var ordinaryDelta: (xdp: Double, tc: Double, count: Double) = (0, 0, 0)
        for (name, frame) in Self.comparisonFrames {
            var samples: [String: [UInt32]] = [:]
            var deltas: [String: [Double]] = [:]
            for round in 0..<rounds {
                samples["floor", default: []].append(
                    try current.testRun(.xdpPass, frame: frame, repeat: Self.repeatCount).nanosecondsPerRun)
                for program in [ProgramKind.xdp, .tc] {
                    // Which build runs first alternates by round: run in a fixed order, the same build
                    // of the same code measured up to ~2 ns apart depending on its place.
                    let before: TestRunResult
                    let after: TestRunResult
                    if round.isMultiple(of: 2) {
                        before = try baseline.testRun(program, frame: frame, repeat: Self.repeatCount)
                        after = try current.testRun(program, frame: frame, repeat: Self.repeatCount)
                    } else {
                        after = try current.testRun(program, frame: frame, repeat: Self.repeatCount)
                        before = try baseline.testRun(program, frame: frame, repeat: Self.repeatCount)
                    }
                    let handUp = try handingUp.testRun(program, frame: frame, repeat: Self.repeatCount)
                    let pass = program == .xdp ? ProgramVerdict.xdpPass : ProgramVerdict.tcActionOK
                    #expect([before, after, handUp].allSatisfy { $0.returnValue == pass })
                    samples["\(program) before", default: []].append(before.nanosecondsPerRun)
                    samples["\(program) after", default: []].append(after.nanosecondsPerRun)
                    samples["\(program) hand-up", default: []].append(handUp.nanosecondsPerRun)
                    deltas["\(program)", default: []].append(
                        Double(after.nanosecondsPerRun) - Double(before.nanosecondsPerRun))
                }
                _ = handingUp.poll(timeout: .zero) { _ in }
            }
            func median(_ key: String) -> Double {
                let sorted = samples[key, default: []].sorted()
                return sorted.isEmpty ? 0 : Double(sorted[sorted.count / 2])
            }
            func pairedMedian(_ key: String) -> Double {
                let sorted = deltas[key, default: []].sorted()
                guard !sorted.isEmpty else { return 0 }
                let middle = sorted.count / 2
                return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            }
            let xdpDelta = pairedMedian("xdp")
            let tcDelta = pairedMedian("tc")
            if !["dns", "tls", "http"].contains(where: name.hasPrefix) {
                ordinaryDelta.xdp += xdpDelta
                ordinaryDelta.tc += tcDelta
                ordinaryDelta.count += 1
            }
            print(
                String(
                    format: "bench-bpf: %@ %5.0f %11.0f %6.0f %8.0f %+7.1f | %10.0f %6.0f %8.0f %+7.1f",
                    Self.column(name) as NSString,
                    median("floor"), median("xdp before"), median("xdp after"), median("xdp hand-up"), xdpDelta,
                    median("tc before"), median("tc after"), median("tc hand-up"), tcDelta))
        }
        #expect(ordinaryDelta.count > 0)
        print(
            String(
                format:
                    "bench-bpf: ordinary counted frames, after - before (mean of the paired medians): xdp %+.1f ns, tc %+.1f ns",
                ordinaryDelta.xdp / ordinaryDelta.count, ordinaryDelta.tc / ordinaryDelta.count))
        let drops = current.readDropCounters()
        print(
            "bench-bpf: after, default limits: dns_rate_limited \(drops[.dnsRateLimited] ?? 0), payload_rate_limited \(drops[.payloadRateLimited] ?? 0)"
        )
        #expect((drops[.dnsRateLimited] ?? 0) > 0, "the DNS rows measured the rate-limited path")
    }

    /// `name` padded to the frame column.
    static func column(_ name: String) -> String { name.padding(toLength: 20, withPad: " ", startingAt: 0) }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func threadCPUMilliseconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
    }

    /// Best of five runs, in wall-clock and in this thread's CPU time (the latter is what the
    /// read costs when other processes compete for the CPUs, as on a shared build machine).
    static func measure(_ body: () -> Int) -> (milliseconds: Double, cpuMilliseconds: Double, result: Int) {
        var best = Duration.seconds(1000)
        var bestCPU = Double.infinity
        var result = 0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let startCPU = threadCPUMilliseconds()
            result = body()
            bestCPU = min(bestCPU, threadCPUMilliseconds() - startCPU)
            best = min(best, ContinuousClock.now - start)
        }
        return (milliseconds(best), bestCPU, result)
    }

    @Test(
        arguments: [
            ("all 24 classes non-zero (worst case)", nil),
            (
                "4 classes non-zero (tx/rx ipv4 tcp/udp)",
                [
                    TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp),
                    TrafficClass(direction: .transmitted, family: .ipv4, l4: .udp),
                    TrafficClass(direction: .received, family: .ipv4, l4: .tcp),
                    TrafficClass(direction: .received, family: .ipv4, l4: .udp),
                ]
            ),
        ] as [(String, [TrafficClass]?)])
    func readDeviceTable_tenThousandDevices_mappedAndCopied(name: String, classes: [TrafficClass]?) throws {
        let capture = try EBPFCapture.load(.init(interface: "unused", maxDevices: 16384), logger: Privileged.logger)
        try capture.fillDeviceMapForBenchmark(count: 10_000, classes: classes)
        #expect(capture.isDeviceTableMapped)
        #expect(capture.mapEntryCount() == 10_000)
        let mapped = Self.measure { capture.readDeviceTable().count }
        let copied = Self.measure { capture.readDeviceTableCopied().count }
        let copy = Self.measure { capture.copyDeviceTableForBenchmark() }
        #expect(mapped.result == 10_000)
        #expect(copied.result == 10_000)
        // 1.5 slots per device of capacity in each CPU's stripe; the copy takes every element.
        #expect(copy.result == 16384 * 3 / 2 * capture.possibleCPUCount)
        let sample = try #require(capture.readDeviceCounters().first)
        #expect(sample.counters.byClass.count == (classes?.count ?? 24))
        print(
            String(
                format:
                    "bench-bpf: readDeviceTable 10000 devices x %d CPUs, %@ (best of 5, wall / thread CPU): in place (mmap) %.2f / %.2f ms; through batched lookups %.2f / %.2f ms (the copy alone %.2f / %.2f ms, %.2fx in place CPU)",
                capture.possibleCPUCount, name as NSString, mapped.milliseconds, mapped.cpuMilliseconds,
                copied.milliseconds, copied.cpuMilliseconds, copy.milliseconds, copy.cpuMilliseconds,
                copied.cpuMilliseconds / mapped.cpuMilliseconds))
    }
}
