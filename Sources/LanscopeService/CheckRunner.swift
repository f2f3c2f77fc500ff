import CaptureEBPF
import CapturePcap
import Fingerprinting
import Glibc
import History
import Logging

/// `lanscope check`: everything a deployment needs, verified without running (ebpf_exporter's
/// `--config.check` idea). It never touches a live attachment (an interface another lanscope owns is
/// reported, not attached to) and never creates the database.
public enum CheckRunner {
    public struct Report: Sendable {
        public var lines: [String] = []
        public var ok = true
        public var text: String { lines.joined(separator: "\n") + "\n" }
    }

    public static func run(interface: String?, databasePath: String, logger: Logger) -> Report {
        var report = Report()
        var attachTo = interface
        var ownership: InterfaceOwnership? = nil
        if let name = interface {
            if let owner = InterfaceOwnership.owner(of: name) {
                attachTo = nil
                report.lines.append("interface \(name): owned by \(owner); attach test skipped so its capture goes on")
            } else {
                // Hold the interface during the attach test so a `run` starting now waits its turn.
                ownership = try? InterfaceOwnership.acquire(
                    interface: name, listen: "check", replace: false, logger: logger)
            }
        }
        let ebpf = EBPFCapture.check(interface: attachTo, logger: logger)
        withExtendedLifetime(ownership) {}
        report.lines.append(ebpf.description)
        let ebpfUsable = ebpf.loaded && (!ebpf.attachTried || ebpf.attached)

        // The libpcap fallback needs CAP_NET_RAW and an interface it can open.
        let netRaw = hasEffectiveCapability(13)
        report.lines.append("CAP_NET_RAW: \(netRaw ? "yes" : "no (libpcap live capture needs it)")")
        var pcapUsable = false
        if let name = interface {
            do {
                _ = try PcapLiveCapture(PcapLiveCapture.Configuration(interface: name))
                pcapUsable = true
                report.lines.append("libpcap fallback on \(name): ok")
            } catch {
                report.lines.append("libpcap fallback on \(name): FAILED \(error.description)")
            }
        }
        if interface != nil && !ebpfUsable && !pcapUsable { report.ok = false }
        if interface == nil && !ebpf.loaded { report.ok = false }

        report.lines.append(databaseLine(databasePath, ok: &report.ok))
        let vendors = VendorDirectory.load(path: nil, logger: logger)
        if let note = vendors.loadError {
            report.lines.append("vendor registry: \(note)")
        } else {
            let count = vendors.registry?.count
            report.lines.append(
                "vendor registry: ok (MA-L \(count?.ma24 ?? 0), MA-M \(count?.ma28 ?? 0), MA-S \(count?.ma36 ?? 0))")
        }
        report.lines.append(report.ok ? "check: ok" : "check: FAILED")
        return report
    }

    /// An existing database is opened and its schema reported; a missing one is not created, only
    /// whether it could be.
    static func databaseLine(_ path: String, ok: inout Bool) -> String {
        if access(path, F_OK) == 0 {
            do {
                let store = try HistoryStore(path: path, configuration: .init(readOnly: true))
                return "database: ok \(path) (schema version \(store.schemaVersion))"
            } catch {
                ok = false
                return "database: FAILED \(error)"
            }
        }
        var directory = path
        while let slash = directory.lastIndex(of: "/"), directory != "/" {
            directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            if access(directory, F_OK) == 0 { break }
        }
        if directory.isEmpty || !path.contains("/") { directory = "." }
        let writable = access(directory, W_OK) == 0
        if !writable { ok = false }
        return
            "database: not created yet at \(path); \(writable ? "it can be" : "FAILED: \(directory) is not writable")"
    }

    /// Effective capability `bit` from /proc/self/status (numbers from linux/capability.h).
    static func hasEffectiveCapability(_ bit: UInt64) -> Bool {
        guard let file = fopen("/proc/self/status", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, 512, file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("CapEff:") else { continue }
            let hex = text.dropFirst(7).filter { $0.isHexDigit }
            guard let mask = UInt64(hex, radix: 16) else { return false }
            return mask & (1 << bit) != 0
        }
        return false
    }
}
