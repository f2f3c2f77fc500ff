import Foundation
import TestSupport
import Testing

/// Without CAP_BPF/CAP_PERFMON, `lanscope run --interface` must say in one log line which capabilities
/// are missing, fall back to libpcap, and export `lanscope_capture_info{backend="pcap"}`. Root only
/// (it creates a veth pair and drops capabilities with capsh); CI requires it.
@Suite(.serialized) struct CapabilityFallbackPrivilegedTests {
    @Test(.needsRoot) func run_withoutBPFCapabilities_fallsBackToPcap_andSaysWhy() throws {
        // Only reached without root when LANSCOPE_REQUIRE_PRIVILEGED=1: then it must fail, not pass.
        try #require(getuid() == 0, "needs root to create a veth pair and drop capabilities")
        let capsh = try #require(which("capsh"), "capsh missing (Debian libcap2-bin)")
        let name = "lsf\(getpid() % 100_000)"
        try run("/usr/sbin/ip", ["link", "add", name, "type", "veth", "peer", "name", name + "p"])
        defer { _ = try? run("/usr/sbin/ip", ["link", "del", name]) }
        try run("/usr/sbin/ip", ["link", "set", name, "up"])
        try run("/usr/sbin/ip", ["link", "set", name + "p", "up"])
        let port = freeLoopbackPort()
        let script = """
            \(TestPaths.executable) run --interface \(name) --mode gateway --listen 127.0.0.1:\(port) --no-db &
            pid=$!
            for i in $(seq 1 50); do curl -sf http://127.0.0.1:\(port)/metrics > /tmp/\(name).prom && break; sleep 0.1; done
            kill -TERM $pid; wait $pid
            """
        let (status, _, stderr) = try run(
            capsh, ["--drop=cap_bpf,cap_sys_admin,cap_perfmon", "--", "-c", script], timeout: 30)
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("falling back to libpcap"))
        #expect(stderr.contains("missing_capabilities=CAP_BPF,CAP_PERFMON"))
        #expect(stderr.contains("Operation not permitted"))
        let metrics = try String(contentsOfFile: "/tmp/\(name).prom", encoding: .utf8)
        try? FileManager.default.removeItem(atPath: "/tmp/\(name).prom")
        #expect(metrics.contains("lanscope_capture_info{backend=\"pcap\",mode=\"gateway\",interface=\"\(name)\"} 1"))
    }
}
