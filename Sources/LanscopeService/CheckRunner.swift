import CaptureEBPF
import Fingerprinting
import History
import Logging

/// `lanscope check`: everything a deployment needs, verified without running (ebpf_exporter's
/// `--config.check` idea).
public enum CheckRunner {
    public struct Report: Sendable {
        public var lines: [String] = []
        public var ok = true
        public var text: String { lines.joined(separator: "\n") + "\n" }
    }

    public static func run(interface: String?, databasePath: String, logger: Logger) -> Report {
        var report = Report()
        let ebpf = EBPFCapture.check(interface: interface, logger: logger)
        report.lines.append(ebpf.description)
        if !ebpf.loaded || (ebpf.attachTried && !ebpf.attached) { report.ok = false }
        do {
            let store = try HistoryStore(path: databasePath)
            report.lines.append("database: ok \(databasePath) (schema version \(store.schemaVersion))")
        } catch {
            report.lines.append("database: FAILED \(error)")
            report.ok = false
        }
        let vendors = VendorDirectory.load(path: nil, logger: logger)
        if let note = vendors.loadError { report.lines.append("vendor registry: \(note)") } else {
            let count = vendors.registry?.count
            report.lines.append("vendor registry: ok (MA-L \(count?.ma24 ?? 0), MA-M \(count?.ma28 ?? 0), MA-S \(count?.ma36 ?? 0))")
        }
        report.lines.append(report.ok ? "check: ok" : "check: FAILED")
        return report
    }
}
