internal import CLibBPF
internal import LanscopeABI
public import LanscopeCore

#if canImport(Glibc)
    import Glibc
#endif

extension EBPFCapture {
    /// Runs a loaded program on `frame` with `BPF_PROG_TEST_RUN`, `repeat` times, without any
    /// interface: counters, drops and perf records behave as for a real frame. The kernel needs at
    /// least 14 bytes (an Ethernet header) for both program types.
    public func testRun(_ program: ProgramKind, frame: [UInt8], repeat count: Int = 1) throws(EBPFError)
        -> TestRunResult
    {
        let fd = programFD(program)
        var returnValue: UInt32 = 0
        var duration: UInt32 = 0
        let result = frame.withUnsafeBytes { buffer in
            ls_prog_test_run(
                fd, buffer.baseAddress, UInt32(buffer.count), UInt32(clamping: max(1, count)),
                &returnValue, &duration)
        }
        guard result == 0 else { throw .libbpf("bpf_prog_test_run_opts(\(program.rawValue))", result) }
        return TestRunResult(returnValue: returnValue, nanosecondsPerRun: duration)
    }
}

extension EBPFCapture {
    /// Fills the device map from userspace with `count` synthetic devices (MACs 02:00:00:xx:xx:xx),
    /// each CPU holding `packets` packets of `frameBytes` bytes in each of `classes` (all 24 when
    /// `nil`). For measuring the scrape-side read; never used on a live capture.
    @_spi(Benchmark)
    public func fillDeviceMapForBenchmark(
        count: Int, classes: [TrafficClass]? = nil, packets: UInt64 = 1, frameBytes: UInt64 = 100
    ) throws(EBPFError) {
        let macs = (0..<count).map { MACAddress(rawValue: 0x0200_0000_0000 | UInt64($0)) }
        try fillDeviceMapForBenchmark(macs: macs, classes: classes, packets: packets, frameBytes: frameBytes)
    }

    /// `fillDeviceMapForBenchmark` with the given MACs, one slot each in order, in every CPU's stripe.
    @_spi(Benchmark)
    public func fillDeviceMapForBenchmark(
        macs: [MACAddress], classes: [TrafficClass]? = nil, packets: UInt64 = 1, frameBytes: UInt64 = 100
    ) throws(EBPFError) {
        let cells = classes.map { $0.map(Self.cell(of:)) } ?? Array(0..<Self.cellCount)
        var value = [UInt8](repeating: 0, count: Self.valueStride)
        let time = KernelTime()
        value.withUnsafeMutableBytes { buffer in
            for cell in cells {
                buffer.storeBytes(of: packets, toByteOffset: Self.countersOffset + cell * 8, as: UInt64.self)
                buffer.storeBytes(of: packets * frameBytes, toByteOffset: Self.bytesOffset + cell * 8, as: UInt64.self)
            }
            buffer.storeBytes(of: UInt64(time.monotonicNow), toByteOffset: Self.lastSeenOffset, as: UInt64.self)
        }
        // One device per slot (the kernel would probe from the MAC's hash; the reader only sums by key).
        guard macs.count <= slotCount else {
            throw .invalidConfiguration("\(macs.count) devices exceed \(slotCount) slots")
        }
        for (index, mac) in macs.enumerated() {
            var key = ls_device_key()
            withUnsafeMutableBytes(of: &key.mac) { bytes in
                for (i, octet) in mac.octets.enumerated() { bytes[i] = octet }
            }
            let raw = withUnsafeBytes(of: key) { $0.loadUnaligned(as: UInt64.self) }
            value.withUnsafeMutableBytes { $0.storeBytes(of: raw, toByteOffset: 0, as: UInt64.self) }
            for cpu in 0..<possibleCPUs {
                var element = UInt32(cpu * slotCount + index)
                let result = value.withUnsafeBytes { bpf_map_update_elem(devicesFD, &element, $0.baseAddress, 0) }
                guard result == 0 else { throw .libbpf("bpf_map_update_elem", result) }
            }
        }
    }
}

/// The kernel's own accounting of a program's run time: how often it ran and the time spent inside
/// it, measured around each run (`BPF_ENABLE_STATS`), without the harness `BPF_PROG_TEST_RUN`
/// loops in. Counted only while a `RunTimeStatistics` is alive.
public struct ProgramRunStats: Sendable, Hashable {
    public var runCount: UInt64
    public var runTimeNanoseconds: UInt64

    /// Mean nanoseconds per run between `earlier` and `self`.
    public func nanosecondsPerRun(since earlier: ProgramRunStats) -> Double {
        let runs = runCount &- earlier.runCount
        return runs == 0 ? 0 : Double(runTimeNanoseconds &- earlier.runTimeNanoseconds) / Double(runs)
    }
}

/// While alive, the kernel accounts run time for every BPF program (`BPF_STATS_RUN_TIME`, needs
/// CAP_SYS_ADMIN; system-wide, so only for measurements: each run then pays two clock reads).
public final class RunTimeStatistics: Sendable {
    let fd: Int32

    public init() throws(EBPFError) {
        let result = bpf_enable_stats(BPF_STATS_RUN_TIME)
        guard result >= 0 else { throw .libbpf("bpf_enable_stats(BPF_STATS_RUN_TIME)", result) }
        fd = result
    }

    deinit { close(fd) }
}

extension EBPFCapture {
    /// The kernel's run count and run time of a loaded program so far (see `RunTimeStatistics`).
    public func runStats(_ program: ProgramKind) throws(EBPFError) -> ProgramRunStats {
        var stats = ProgramRunStats(runCount: 0, runTimeNanoseconds: 0)
        let result = ls_prog_run_stats(programFD(program), &stats.runCount, &stats.runTimeNanoseconds)
        guard result == 0 else { throw .libbpf("bpf_obj_get_info_by_fd(\(program.rawValue))", result) }
        return stats
    }

    func programFD(_ program: ProgramKind) -> Int32 {
        switch program {
        case .xdp: xdpFD
        case .tc: tcFD
        case .xdpPass: xdpPassFD
        }
    }
}
