internal import CLibBPF
internal import LanscopeABI

#if canImport(Glibc)
    import Glibc
#endif

/// Another build of the BPF programs, loaded from an object file with its own compiled-in
/// configuration (nothing written into it), so a benchmark can run an earlier commit's programs
/// next to the embedded ones in the same process and compare per-packet cost. Only the device
/// table is sized, to `slotCount` slots per possible CPU: it must match the object's own
/// `ls_config.slot_count` (24576 in every build so far, `maxDevices` 16384), or the programs on
/// other CPUs than the first would find no stripe and take the cheaper map-full path.
@_spi(Benchmark)
public final class BenchmarkObject: @unchecked Sendable {
    let object: OpaquePointer
    public let path: String

    public init(path: String, slotCount: Int = 24576) throws(EBPFError) {
        self.path = path
        guard let object = bpf_object__open_file(path, nil) else {
            throw .call("bpf_object__open_file(\(path))", errno: ls_errno())
        }
        var loaded = false
        defer { if !loaded { bpf_object__close(object) } }
        guard let devices = bpf_object__find_map_by_name(object, LS_MAP_DEVICES) else {
            throw .object("map \(LS_MAP_DEVICES) not found in \(path)")
        }
        let cpus = max(1, Int(libbpf_num_possible_cpus()))
        let sized = bpf_map__set_max_entries(devices, UInt32(slotCount * cpus))
        guard sized == 0 else { throw .libbpf("bpf_map__set_max_entries", sized) }
        let result = bpf_object__load(object)
        guard result == 0 else { throw .libbpf("bpf_object__load(\(path))", result) }
        self.object = object
        loaded = true
    }

    deinit { bpf_object__close(object) }

    /// `EBPFCapture.testRun` on this object's program `kind`.
    public func testRun(_ kind: ProgramKind, frame: [UInt8], repeat count: Int = 1) throws(EBPFError) -> TestRunResult {
        let name =
            switch kind {
            case .xdp: LS_PROG_XDP
            case .tc: LS_PROG_TC
            case .xdpPass: LS_PROG_XDP_PASS
            }
        let fd = try EBPFCapture.programFD(object, name)
        var returnValue: UInt32 = 0
        var duration: UInt32 = 0
        let result = frame.withUnsafeBytes { buffer in
            ls_prog_test_run(
                fd, buffer.baseAddress, UInt32(buffer.count), UInt32(clamping: max(1, count)), &returnValue, &duration)
        }
        guard result == 0 else { throw .libbpf("bpf_prog_test_run_opts(\(kind.rawValue))", result) }
        return TestRunResult(returnValue: returnValue, nanosecondsPerRun: duration)
    }
}
