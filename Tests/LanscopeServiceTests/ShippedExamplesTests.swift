import Foundation
import Testing

/// The example files shipped in deploy/ and installed under share/doc/lanscope/examples work as their
/// comments say; the dependency lists are split as `make deps` / `make deps-test` promise.
@Suite(.serialized) struct ShippedExamplesTests {
    static let root = TestPaths.repositoryRoot

    /// deploy/web.yml's hash is of "example-password" for the user "prometheus", as its comment says.
    @Test(.timeLimit(.minutes(1))) func webConfigExample_protectsMetrics_andAcceptsItsPassword() throws {
        let curl = try #require(which("curl"), "curl missing: make deps-test")
        let port = freeLoopbackPort()
        let dir = TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let daemon = try OpsDaemon(
            TestPaths.executable,
            [
                "run", "--pcap", TestPaths.sampleCapture, "--listen", "127.0.0.1:\(port)", "--no-db",
                "--web-config-file", Self.root.appendingPathComponent("deploy/web.yml").path,
            ], log: dir.appendingPathComponent("lanscope.log"))
        defer { daemon.stop() }
        let url = "http://127.0.0.1:\(port)"
        let ready = OpsWait.until(seconds: 20) {
            (try? run(curl, ["-fsS", "\(url)/-/ready"]))?.0 == 0
        }
        #expect(ready, "lanscope never became ready: \(daemon.logTail())")
        guard ready else { return }
        func status(_ extra: [String]) throws -> String {
            try run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}"] + extra + ["\(url)/metrics"]).1
        }
        #expect(try status([]) == "401")
        #expect(try status(["-u", "prometheus:wrong"]) == "401")
        #expect(try status(["-u", "prometheus:example-password"]) == "200")
    }

    /// `make deps` installs only what building and running need; the test lab is `make deps-test`.
    @Test func installDeps_buildSetHoldsNoTestTool_andTestSetHoldsTheLab() throws {
        let script = Self.root.appendingPathComponent(".ci/install-deps.sh").path
        func list(_ variable: String) throws -> Set<String> {
            let (status, out, err) = try run(
                "/bin/bash",
                ["-c", "eval \"$(sed -n '/^\(variable)=(/,/^)/p' \"$1\")\"; echo \"${\(variable)[@]}\"", "_", script])
            #expect(status == 0, "\(err)")
            return Set(out.split(whereSeparator: \.isWhitespace).map(String.init))
        }
        let build = try list("PACKAGES")
        let lab = try list("TEST_PACKAGES")
        #expect(build.isSuperset(of: ["libbpf-dev", "libpcap-dev", "libsqlite3-dev", "ieee-data"]), "\(build)")
        #expect(build.isDisjoint(with: lab), "in both lists: \(build.intersection(lab))")
        for tool in [
            "prometheus", "prometheus-alertmanager", "tshark", "wrk", "dnsmasq-base", "avahi-daemon", "nmap", "dsniff",
            "iperf3", "hyperfine", "python3-scapy", "tcpreplay", "prometheus-node-exporter", "python3-jsonschema",
            "debootstrap",
        ] {
            #expect(lab.contains(tool), "\(tool) is not in the test lab (TEST_PACKAGES)")
        }
        let makefile = try String(contentsOf: Self.root.appendingPathComponent("Makefile"), encoding: .utf8)
        #expect(makefile.contains("deps-test:") && makefile.contains("bash .ci/install-deps.sh --test"))
        let ci = try String(contentsOf: Self.root.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(ci.contains("make deps && make deps-test"))
    }
}
