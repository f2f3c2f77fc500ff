public import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension EBPFCapture {
    /// Loads the object (the verifier runs) and reports capabilities, kernel and BTF; when
    /// `interface` is given, also attaches and detaches right away. Never leaves anything attached.
    public static func check(interface: String?, logger: Logger) -> EBPFCheckReport {
        var report = EBPFCheckReport(
            kernelRelease: kernelRelease(), kernelBTF: access("/sys/kernel/btf/vmlinux", R_OK) == 0,
            capabilities: effectiveCapabilities(), loaded: false, loadError: nil, attachTried: false,
            attached: false, attachError: nil, maps: mapNames, programs: programNames)
        let capture: EBPFCapture
        do {
            capture = try load(Configuration(interface: interface ?? ""), logger: logger)
            report.loaded = true
        } catch {
            report.loadError = error.description
            return report
        }
        guard let interface, !interface.isEmpty else { return report }
        report.attachTried = true
        do {
            try capture.attach()
            report.attached = true
        } catch {
            report.attachError = error.description
        }
        capture.detach()
        return report
    }

    static func kernelRelease() -> String {
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Parses `CapEff:` from /proc/self/status (capability numbers from linux/capability.h).
    public static func effectiveCapabilities() -> EBPFCheckReport.Capabilities? {
        guard let status = readSmallFile("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            guard let mask = UInt64(hex, radix: 16) else { return nil }
            func has(_ bit: UInt64) -> Bool { mask & (1 << bit) != 0 }
            return .init(bpf: has(39), netAdmin: has(12), perfmon: has(38), sysAdmin: has(21))
        }
        return nil
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<64 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
