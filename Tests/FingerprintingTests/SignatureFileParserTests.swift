import Foundation
import LanscopeCore
import TestSupport
import Testing

@testable import Fingerprinting

struct SignatureFileParserTests {
    @Test func parse_readsEveryField_forAWellFormedLine() throws {
        let text = "# comment\n\nprinter.ipp\tmdns_service\texact\t_IPP._tcp\ttype=printer;model=$value\t3\n"
        let rules = try SignatureFileParser.parse(text, file: "a.tsv")
        #expect(rules.count == 1)
        let rule = try #require(rules.first)
        #expect(rule.id == "printer.ipp")
        #expect(rule.signal == .mdnsService)
        #expect(rule.match == .exact)
        #expect(rule.pattern == "_ipp._tcp")
        #expect(
            rule.conclusions == [
                .init(field: .type, value: .literal("printer")), .init(field: .model, value: .observed),
            ])
        #expect(rule.weight == 3)
        #expect(rule.origin == "a.tsv:3")
    }

    /// A file saved with CRLF line ends reads as with LF ("\r\n" is one `Character`, so the lines must be
    /// split on the byte), and a bad line is named by its number.
    @Test func parse_crlfLineEnds_likeLF() throws {
        let lines = [
            "# made on Windows", "a.one\toui\tcontains\tacme\tmanufacturer=Acme\t1",
            "a.two\thostname\tprefix\tcam-\ttype=camera\t2", "",
        ]
        let rules = try SignatureFileParser.parse(lines.joined(separator: "\r\n"), file: "w.tsv")
        #expect(rules.map(\.id) == ["a.one", "a.two"])
        #expect(rules.map(\.origin) == ["w.tsv:2", "w.tsv:3"])
        #expect(rules.last?.weight == 2)
        #expect(rules.last?.conclusions == [.init(field: .type, value: .literal("camera"))])
        #expect(try SignatureFileParser.parse(lines.joined(separator: "\n"), file: "w.tsv") == rules)
        do {
            _ = try SignatureFileParser.parse(
                (lines + ["a.three\toui\texact\tx\ttype=fridge\t1"]).joined(separator: "\r\n"), file: "w.tsv")
            Issue.record("a bad line was accepted")
        } catch {
            #expect(
                error.description
                    == "w.tsv:5: unknown device type 'fridge' (known: \(DeviceType.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
    }

    @Test(arguments: [
        (
            "x\tmdns_service\texact\t_ipp._tcp\ttype=printer",
            "f.tsv:2: expected 6 tab-separated fields (id, signal, match, pattern, conclusions, weight), found 5"
        ),
        (
            "X\tmdns_service\texact\t_ipp._tcp\ttype=printer\t1",
            "f.tsv:2: rule id 'X' may hold only a-z, 0-9, '.', '_' and '-'"
        ),
        ("x\tmdns\texact\t_ipp._tcp\ttype=printer\t1", "f.tsv:2: unknown signal 'mdns'"),
        ("x\tmdns_service\tregex\t_ipp\ttype=printer\t1", "f.tsv:2: unknown match 'regex'"),
        ("x\tmdns_service\tany\t_ipp\ttype=printer\t1", "f.tsv:2: match 'any' takes the pattern '*', not '_ipp'"),
        ("x\tmdns_service\texact\t_ipp._tcp\ttype=fridge\t1", "f.tsv:2: unknown device type 'fridge'"),
        ("x\tmdns_service\texact\t_ipp._tcp\tcolour=red\t1", "f.tsv:2: unknown field 'colour'"),
        ("x\tmdns_service\texact\t_ipp._tcp\ttype\t1", "f.tsv:2: conclusion 'type' is not field=value"),
        ("x\tmdns_service\texact\t_ipp._tcp\tmodel=\t1", "f.tsv:2: field 'model' has an empty value"),
        ("x\tmdns_service\texact\t_ipp._tcp\tmodel=$rest\t1", "f.tsv:2: $rest needs match 'prefix' or 'contains'"),
        ("x\tmdns_service\tprefix\t_ipp\tmodel=$tail\t1", "f.tsv:2: unknown placeholder '$tail'"),
        ("x\tdhcp_vendor\tprefix\tandroid\tos_version=$word\t1", "f.tsv:2: os_version needs an os in the same rule"),
        (
            "x\tmdns_service\texact\t_ipp._tcp\ttype=printer\theavy",
            "f.tsv:2: weight 'heavy' is not a number from 0 to 10.0"
        ),
        ("x\tmdns_service\texact\t_ipp._tcp\ttype=printer\t11", "f.tsv:2: weight '11' is not a number from 0 to 10.0"),
        ("x\tmdns_service\texact\t_ipp._tcp\ttype=printer;type=camera\t1", "f.tsv:2: field 'type' given twice"),
        (
            "x\tmdns_service\texact\t_ipp._tcp\tmodel=$value\t1\nx\tmdns_service\texact\t_ipp._tcp\ttype=printer\t1",
            "f.tsv:3: duplicate rule id 'x' (first on line 2)"
        ),
    ])
    func parse_refusesTheFileWithFileAndLine_forABadLine(line: String, expected: String) {
        do {
            _ = try SignatureFileParser.parse("# header\n" + line + "\n", file: "f.tsv")
            Issue.record("accepted a bad line: \(line)")
        } catch {
            #expect(error.description.hasPrefix(expected), "got: \(error.description)")
        }
    }

    @Test func builtInRules_parseWithoutError_andCoverEverySignalFile() throws {
        let rules = try SignatureSet.builtInRules()
        #expect(rules.count > 300)
        let files = Set(rules.map { $0.origin.split(separator: ":").first.map(String.init) ?? "" })
        #expect(
            files == [
                "dhcp.tsv", "dns.tsv", "hostname.tsv", "ja4.tsv", "mdns.tsv", "oui.tsv", "ports.tsv", "products.tsv",
                "ssdp.tsv",
                "wsd.tsv",
                "ubnt.tsv",
                "system.tsv",
                "tcp.tsv", "useragent.tsv",
            ])
        #expect(Set(rules.map(\.id)).count == rules.count, "rule ids must be unique across the built-in files")
    }

    @Test func loading_addsAndOverridesBuiltInRulesById_fromADirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try
            "mdns.ipp\tmdns_service\texact\t_ipp._tcp\ttype=printer\t0\nlocal.fridge\thostname\tprefix\tfridge-\ttype=appliance\t4\n"
            .write(to: directory.appendingPathComponent("local.tsv"), atomically: true, encoding: .utf8)
        try "not a rule file".write(
            to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let set = try SignatureSet.loading(directory: directory.path)
        #expect(set.rules.count == SignatureSet.builtIn.rules.count + 1)
        #expect(set.rules.first { $0.id == "mdns.ipp" }?.weight == 0)
        let classifier = DeviceClassifier(signatures: set)
        #expect(classifier.classify(signals: [SignalValue(.hostname, "Fridge-Kitchen")]).type.value == .appliance)
        // Weight 0 disables the built-in printer rule.
        let ipp = classifier.classify(signals: [SignalValue(.mdnsService, "_ipp._tcp")])
        #expect(!ipp.type.evidence.contains { $0.rule == "mdns.ipp" })
    }

    @Test func loading_namesTheFileAndLine_forABadFileInTheDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.tsv")
        try "# ok\nok\thostname\tprefix\ta\ttype=phone\t1\nbroken line\n".write(
            to: file, atomically: true, encoding: .utf8)
        #expect(throws: SignatureFileError.self) { try SignatureSet.loading(directory: directory.path) }
        do {
            _ = try SignatureSet.loading(directory: directory.path)
        } catch {
            #expect(error.description.hasPrefix("\(file.path):3: expected 6 tab-separated fields"))
        }
    }

    @Test func loading_saysWhy_forAMissingDirectory() {
        do {
            _ = try SignatureSet.loading(directory: "/nonexistent/signatures")
            Issue.record("loaded a missing directory")
        } catch {
            #expect(
                error.description
                    == "/nonexistent/signatures: cannot open directory: No such file or directory (errno 2)")
        }
        // A file where the directory should be.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sig-\(UUID().uuidString).tsv").path
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            _ = try SignatureSet.loading(directory: file)
            Issue.record("loaded a file as a directory")
        } catch {
            #expect(error.description == "\(file): cannot open directory: Not a directory (errno 20)")
        }
    }
}

struct SignatureFileParserRobustnessTests {
    /// Random text made of the format's own pieces: every input either parses or is refused with a line
    /// number inside the text — never a crash, never a silent partial file.
    @Test func parse_eitherParsesOrNamesALine_forRandomInput() {
        let pieces = [
            "\t", "\t\t", "\n", "#", " ", "=", ";", "$rest", "$word", "$value", "*", "type", "os", "os_version",
            "model", "printer", "hostname", "dhcp_vendor", "prefix", "any", "exact", "1", "10", "-3", "a.b",
            "é", "\r", "\u{0}", "manufacturer", "contains", "suffix",
        ]
        var generator = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &generator) { text += pieces.randomElement(using: &generator)! }
            let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            do {
                let rules = try SignatureFileParser.parse(text, file: "r.tsv")
                #expect(rules.allSatisfy { $0.weight >= 0 && $0.weight <= 10 && !$0.conclusions.isEmpty })
            } catch {
                #expect(error.file == "r.tsv")
                #expect(error.line >= 1 && error.line <= lines, "\(error)")
            }
        }
    }
}
