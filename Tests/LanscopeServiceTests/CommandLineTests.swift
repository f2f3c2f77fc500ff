import Foundation
import TestSupport
import Testing

/// The real `lanscope` executable, end to end: replay, list, device, alerts, export, bad input.
@Suite(.serialized) struct CommandLineTests {
    let lanscope = TestPaths.executable

    func tempDB() -> String { TestPaths.temporaryDirectory().appendingPathComponent("nested/dir/lanscope.db").path }

    func counts(_ db: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for table in ["devices", "addresses", "services", "evidence", "anomalies", "traffic", "captures"] {
            let (status, text, err) = try run(
                "/usr/bin/python3",
                [
                    "-c",
                    "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from \(table)').fetchone()[0])",
                    db,
                ])
            #expect(status == 0, "\(err)")
            out[table] = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return out
    }

    @Test func replay_twice_duplicatesNothing_andCreatesPrivateFile() throws {
        let db = tempDB()
        let (s1, out1, err1) = try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", db])
        #expect(s1 == 0, "\(err1)")
        #expect(out1.contains("87 frames, 7 devices (7 new, "))
        let first = try counts(db)
        #expect(first["devices"] == 7)
        #expect(first["anomalies"] == 7)
        #expect(first["captures"] == 1)
        // Same file under another name: same content, still nothing duplicated.
        let copy = TestPaths.temporaryDirectory().appendingPathComponent("copy.pcap").path
        try FileManager.default.copyItem(atPath: TestPaths.sampleCapture, toPath: copy)
        let (s2, out2, _) = try run(lanscope, ["replay", copy, "--db", db])
        #expect(s2 == 0)
        #expect(out2.contains("7 devices (0 new, "))
        #expect(try counts(db) == first)
        var info = stat()
        #expect(stat(db, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func replay_intoTwoDatabases_storesIdenticalEvidence() throws {
        func dump(_ db: String) throws -> String {
            let (status, text, err) = try run(
                "/usr/bin/python3",
                [
                    "-c",
                    """
                    import sqlite3, sys
                    rows = sqlite3.connect(sys.argv[1]).execute(
                        'select mac, kind, source, value, first_seen, last_seen, count from evidence order by 1, 2, 3, 4').fetchall()
                    print(repr(rows))
                    """, db,
                ])
            #expect(status == 0, "\(err)")
            return text
        }
        let first = tempDB(), second = tempDB()
        try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", first])
        try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", second])
        let a = try dump(first)
        #expect(a.count > 1000)
        #expect(a == (try dump(second)), "evidence (including counts) must not depend on hash order")
    }

    @Test func list_device_alerts_export_readTheDatabase() throws {
        let db = tempDB()
        try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", db])
        let (ls, table, _) = try run(lanscope, ["list", "--db", db])
        #expect(ls == 0)
        #expect(table.contains("alices-macbook") && table.contains("Apple, Inc."))
        let (lj, json, _) = try run(lanscope, ["list", "--json", "--db", db])
        #expect(lj == 0)
        let devices = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(devices.map { $0["mac"] as? String }.contains("b8:27:eb:01:02:03"))
        let pi = try #require(devices.first { $0["mac"] as? String == "b8:27:eb:01:02:03" })
        #expect((pi["counters"] as? [String: Any])?["transmitted_bytes"] as? Int == 1957)

        let (ds, detail, _) = try run(lanscope, ["device", "B8-27-EB-01-02-03", "--json", "--db", db])
        #expect(ds == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any])
        let evidence = try #require(object["evidence"] as? [[String: Any]])
        #expect(evidence.contains { $0["kind"] as? String == "hostname" && $0["value"] as? String == "raspberrypi" })
        #expect(
            evidence.contains {
                $0["kind"] as? String == "address" && $0["value"] as? String == "fe80::ba27:ebff:fe01:203"
            })

        // What it is and why, and every change to it, survive in the database.
        let classification = try #require((object["device"] as? [String: Any])?["classification"] as? [String: Any])
        #expect((classification["type"] as? [String: Any])?["value"] as? String != nil)
        let changes = try #require(object["identity_changes"] as? [[String: Any]])
        #expect(changes.contains { $0["field"] as? String == "type" })
        #expect(changes.contains { $0["field"] as? String == "hostname" && $0["to"] as? String == "raspberrypi" })
        // Any notation, an address or a hostname names the same device.
        for name in ["b827eb010203", "b827.eb01.0203", "192.168.50.50", "RaspberryPi"] {
            let (status, text, err) = try run(lanscope, ["device", name, "--db", db])
            #expect(status == 0, "\(name): \(err)")
            #expect(text.hasPrefix("device b8:27:eb:01:02:03"), "\(name)")
            #expect(text.contains("identification:"), "\(name)")
        }
        // list filters like /devices.json, with a relative last-seen and a legend for the private-MAC marker.
        let (_, printers, _) = try run(lanscope, ["list", "--type", "printer", "--db", db])
        #expect(printers.contains("HPLJ-M404") && !printers.contains("alices-macbook"))
        let (_, apple, _) = try run(lanscope, ["list", "--vendor", "apple", "--db", db])
        #expect(apple.contains("alices-macbook") && !apple.contains("raspberrypi"))
        #expect(table.contains(" ago"))
        #expect(table.contains("* locally administered (randomised) MAC"))

        let (al, alerts, _) = try run(lanscope, ["alerts", "--json", "--db", db])
        #expect(al == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(alerts.utf8)) as? [Any])?.count == 7)
        // The sample capture is from 2026-11-01: nothing is newer than an hour ago.
        let (_, recent, _) = try run(lanscope, ["alerts", "--since", "1h", "--db", db])
        #expect(recent.contains("no anomaly events in the last 1h"))

        let csvFile = TestPaths.temporaryDirectory().appendingPathComponent("inventory.csv").path
        let (ex, _, _) = try run(lanscope, ["export", "--format", "csv", "--output", csvFile, "--db", db])
        #expect(ex == 0)
        let csv = try String(contentsOfFile: csvFile, encoding: .utf8)
        #expect(csv.hasPrefix("mac,vendor,hostname,"))
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 8)
        let (ej, exported, _) = try run(lanscope, ["export", "--format", "json", "--db", db])
        #expect(ej == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [Any])?.count == 7)
    }

    @Test func badInput_getsClearErrors() throws {
        let db = tempDB()
        try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", db])
        let (s1, _, e1) = try run(lanscope, ["device", "nonsense", "--db", db])
        #expect(s1 != 0)
        #expect(e1.contains("no device with MAC, address or hostname \"nonsense\""))
        let (s2, _, e2) = try run(lanscope, ["alerts", "--since", "soon", "--db", db])
        #expect(s2 != 0)
        #expect(e2.contains("invalid duration"))
        let (s3, _, e3) = try run(lanscope, ["list", "--db", "/nonexistent/dir/x.db"])
        let (s3b, _, e3b) = try run(lanscope, ["list", "--type", "toaster", "--db", db])
        #expect(s3b != 0)
        #expect(e3b.contains("unknown type \"toaster\""))
        #expect(s3 != 0)
        #expect(e3.contains("no database at /nonexistent/dir/x.db"))
        let (s4, _, e4) = try run(lanscope, ["export", "--format", "xml", "--db", db])
        #expect(s4 != 0)
        #expect(e4.contains("xml"))
        let (s5, out5, _) = try run(lanscope, ["replay", "/nonexistent.pcap", "--db", db])
        #expect(s5 == 2)
        #expect(out5.contains("cannot open /nonexistent.pcap"))
        let (s6, _, e6) = try run(lanscope, ["run"])
        #expect(s6 != 0)
        #expect(e6.contains("--interface") && e6.contains("--pcap"))
        // The most used detection settings as flags, validated like the config file's.
        for (flag, value, message) in [
            ("--trusted-dhcp-server", "not-an-address", "expected a MAC (aa:bb:cc:dd:ee:ff) or an IP address"),
            ("--trusted-router", "10.0.0.1", "expected a MAC address"), ("--gateway", "gw", "expected an IP address"),
            ("--learning-period", "soon", "--learning-period"),
        ] {
            let (status, _, err) = try run(
                lanscope, ["run", "--pcap", TestPaths.sampleCapture, flag, value, "--no-db"])
            #expect(status != 0, "\(flag)")
            #expect(err.contains(message), "\(flag): \(err)")
        }
        // A capture that cannot be replayed stops `run` instead of serving nothing forever.
        let (s7, _, e7) = try run(
            lanscope, ["run", "--pcap", "/nonexistent/missing.pcap", "--listen", "127.0.0.1:0", "--no-db"],
            timeout: 20)
        #expect(s7 != 0)
        #expect(e7.contains("cannot replay /nonexistent/missing.pcap"))
        // An explicitly given database that cannot be opened stops `run` with a clear message.
        let (s8, _, e8) = try run(
            lanscope,
            [
                "run", "--pcap", TestPaths.sampleCapture, "--listen", "127.0.0.1:0",
                "--db", "/proc/lanscope-cannot-be-here/x.db",
            ], timeout: 20)
        #expect(s8 != 0)
        #expect(e8.contains("cannot open the history database /proc/lanscope-cannot-be-here/x.db"))
        let (s9, _, e9) = try run(
            lanscope, ["run", "--pcap", TestPaths.sampleCapture, "--http-max-connections-per-address", "0"])
        #expect(s9 != 0)
        #expect(e9.contains("--http-max-connections-per-address"))
        let (s10, _, e10) = try run(
            lanscope, ["run", "--pcap", TestPaths.sampleCapture, "--http-send-stall-timeout", "20000w"])
        #expect(s10 != 0)
        #expect(e10.contains("too long"))
        // An interface the kernel does not know: one line saying so, not first that eBPF fell back.
        let (s11, _, e11) = try run(
            lanscope, ["run", "--interface", "lsnoiface0", "--listen", "127.0.0.1:0", "--no-db"], timeout: 20)
        #expect(s11 != 0)
        #expect(e11.contains("no such interface: lsnoiface0 (see `ip link`)"), "\(e11)")
        #expect(!e11.contains("falling back"), "\(e11)")
        // A detection config that is not there: the path and the system's reason.
        let (s12, _, e12) = try run(
            lanscope, ["replay", TestPaths.sampleCapture, "--detection-config", "/nonexistent/detect.conf"])
        #expect(s12 != 0)
        #expect(
            e12.contains(
                "/nonexistent/detect.conf: cannot read the detection configuration: No such file or directory"),
            "\(e12)")
    }

    @Test func replay_truncatedFile_keepsWhatWasReadable() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleCapture))
        let cut = TestPaths.temporaryDirectory().appendingPathComponent("cut.pcap")
        try bytes.prefix(bytes.count - 100).write(to: cut)
        let junk = TestPaths.temporaryDirectory().appendingPathComponent("junk.pcap")
        try Data("this is not a capture file at all".utf8).write(to: junk)
        let db = tempDB()
        let (status, out, stderr) = try run(lanscope, ["replay", cut.path, junk.path, "--json", "--db", db])
        // The readable file is stored; the unreadable one is reported in the exit status too.
        #expect(status == 1, "one unreadable file among several: exit 1")
        #expect(stderr.contains("1 of 2 files could not be read"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let files = try #require(object["files"] as? [[String: Any]])
        #expect(files.count == 2)
        #expect(files[0]["packets"] as? Int == 86)
        #expect((files[0]["error"] as? String)?.contains("truncated after 86 packets") == true)
        #expect((files[1]["error"] as? String)?.contains("not a pcap or pcapng capture file") == true)
        #expect(object["devices"] as? Int == 7)
    }

    /// The whole public corpus in one replay: no crash, a line per file, clear errors for link types
    /// lanscope does not read.
    @Test(.needsCorpus) func replay_wholeCorpus_reportsEveryFile() throws {
        let corpus = try #require(TestPaths.corpus, "public capture corpus not found (set LANSCOPE_PCAP_CORPUS)")
        let enumerator = FileManager.default.enumerator(atPath: corpus)
        var files: [String] = []
        while let item = enumerator?.nextObject() as? String {
            if item.hasSuffix(".pcap") || item.hasSuffix(".pcapng") || item.hasSuffix(".cap") {
                files.append("\(corpus)/\(item)")
            }
        }
        files.sort()
        #expect(files.count > 200)
        let db = tempDB()
        let (status, out, err) = try run(lanscope, ["replay", "--json", "--db", db] + files, timeout: 300)
        // Some corpus files use link types lanscope refuses: the exit status says so (1), and the rest is stored.
        #expect(status == 1, "\(err.suffix(2000))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let reports = try #require(object["files"] as? [[String: Any]])
        #expect(reports.count == files.count)
        let unsupported = reports.filter { ($0["error"] as? String)?.contains("unsupported link type") == true }
        #expect(unsupported.count >= 5, "radiotap, 802.11, NULL and raw-IP files must be refused clearly")
        let read = reports.filter { ($0["packets"] as? Int ?? 0) > 0 }
        #expect(read.count >= 230)
        #expect((object["devices"] as? Int ?? 0) > 500)
        print(
            "corpus: \(files.count) files, \(read.count) read, \(unsupported.count) unsupported, frames \(object["frames"] ?? 0), devices \(object["devices"] ?? 0)"
        )
    }
}
