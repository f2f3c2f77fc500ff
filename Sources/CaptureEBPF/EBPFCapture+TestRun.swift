internal import CLibBPF
internal import LanscopeABI
public import LanscopeCore

extension EBPFCapture {
    /// Runs a loaded program on `frame` with `BPF_PROG_TEST_RUN`, `repeat` times, without any
    /// interface: counters, drops and perf records behave as for a real frame. The kernel needs at
    /// least 14 bytes (an Ethernet header) for both program types.
    public func testRun(_ program: ProgramKind, frame: [UInt8], repeat count: Int = 1) throws(EBPFError) -> TestRunResult {
        let fd: Int32
        switch program {
        case .xdp: fd = xdpFD
        case .tc: fd = tcFD
        case .xdpPass: fd = xdpPassFD
        }
        var returnValue: UInt32 = 0
        var duration: UInt32 = 0
        let result = frame.withUnsafeBytes { buffer in
            ls_prog_test_run(fd, buffer.baseAddress, UInt32(buffer.count), UInt32(clamping: max(1, count)),
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

    /// `fillDeviceMapForBenchmark` with the given MACs, one slot each in order.
    @_spi(Benchmark)
    public func fillDeviceMapForBenchmark(
        macs: [MACAddress], classes: [TrafficClass]? = nil, packets: UInt64 = 1, frameBytes: UInt64 = 100
    ) throws(EBPFError) {
        let cells = classes.map { $0.map(Self.cell(of:)) } ?? Array(0..<Self.cellCount)
        let perEntry = Self.valueStride * possibleCPUs
        var value = [UInt8](repeating: 0, count: perEntry)
        let time = KernelTime()
        value.withUnsafeMutableBytes { buffer in
            for cpu in 0..<possibleCPUs {
                let base = cpu * Self.valueStride
                for cell in cells {
                    buffer.storeBytes(of: packets, toByteOffset: base + Self.countersOffset + cell * 8, as: UInt64.self)
                    buffer.storeBytes(of: packets * frameBytes, toByteOffset: base + Self.bytesOffset + cell * 8, as: UInt64.self)
                }
                buffer.storeBytes(of: UInt64(time.monotonicNow), toByteOffset: base + Self.lastSeenOffset, as: UInt64.self)
            }
        }
        // One device per slot (the kernel would probe from the MAC's hash; the reader only sums by key).
        guard macs.count <= slotCount else { throw .invalidConfiguration("\(macs.count) devices exceed \(slotCount) slots") }
        for (index, mac) in macs.enumerated() {
            var key = ls_device_key()
            withUnsafeMutableBytes(of: &key.mac) { bytes in
                for (i, octet) in mac.octets.enumerated() { bytes[i] = octet }
            }
            let raw = withUnsafeBytes(of: key) { $0.loadUnaligned(as: UInt64.self) }
            value.withUnsafeMutableBytes { buffer in
                for cpu in 0..<possibleCPUs { buffer.storeBytes(of: raw, toByteOffset: cpu * Self.valueStride, as: UInt64.self) }
            }
            var slot = UInt32(index)
            let result = value.withUnsafeBytes { bpf_map_update_elem(devicesFD, &slot, $0.baseAddress, 0) }
            guard result == 0 else { throw .libbpf("bpf_map_update_elem", result) }
        }
    }
}
