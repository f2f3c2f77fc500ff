import Foundation
import History
import LanscopeCore
import Logging
import TestSupport
import Testing

@testable import LanscopeService

/// Replaying the same capture twice raises identical events (every field), in process and through
/// `lanscope replay` into two databases; and the synthetic attack capture raises exactly the events its
/// script stages.
@Suite struct DetectionDeterminismTests {
    static let router = MACAddress(0x24, 0x5A, 0x4C, 0x11, 0x22, 0x01)
    static let laptop = MACAddress(0x3C, 0x22, 0xFB, 0x10, 0x00, 0x02)
    static let printer = MACAddress(0x00, 0x1B, 0xA9, 0x10, 0x00, 0x03)
    static let phone = MACAddress(0xDC, 0xA6, 0x32, 0x10, 0x00, 0x04)
    static let attacker = MACAddress(0x00, 0x66, 0x66, 0x10, 0x00, 0x66)

    static func corpusFiles(_ names: [String]) throws -> [String] {
        let corpus = try #require(TestPaths.corpus)
        return names.map { corpus + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    static var arpCaptures: [String] {
        guard let corpus = TestPaths.corpus,
            let names = try? FileManager.default.contentsOfDirectory(atPath: corpus + "/arp")
        else { return [] }
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { corpus + "/arp/" + $0 }
    }

    @Test func pipeline_yieldsIdenticalEvents_replayingTheAttackCaptureTwice() throws {
        let first = try DetectionReplay.events([DetectionReplay.attackCapture])
        let second = try DetectionReplay.events([DetectionReplay.attackCapture])
        #expect(!first.isEmpty)
        #expect(first.map(\.fingerprint) == second.map(\.fingerprint))
        #expect(first == second)
    }

    /// Exactly the staged attacks, on the attacker's MAC, plus one `new_device` per device (a replay has
    /// no learning period). The scan is raised when it crosses a threshold and closed at the end of the
    /// replay; the router answering ARP for its own address after the forged replies moves the address
    /// back (router → attacker → router), which is the `ip_conflict`, on the MAC that took it.
    @Test func attackCapture_raisesExactlyTheStagedEvents_onTheAttackersMAC() throws {
        let events = try DetectionReplay.events([DetectionReplay.attackCapture])
        let raised = events.map {
            "\($0.kind.rawValue) \($0.severity.rawValue) \($0.mac?.description ?? "-")\($0.isClosing ? " end" : "")"
        }
        let a = Self.attacker.description
        var expected = [Self.router, Self.laptop, Self.printer, Self.phone, Self.attacker].map {
            "new_device info \($0.description)"
        }
        expected += [
            "arp_sweep warning \(a)", "arp_spoof critical \(a)", "ip_conflict warning \(a)",
            "rogue_dhcp critical \(a)", "rogue_ra critical \(a)", "port_scan warning \(a)",
            "port_scan warning \(a) end",
        ]
        #expect(raised.sorted() == expected.sorted(), "\(events.map(\.fingerprint).joined(separator: "\n"))")
        // The victims are named: the printer for the scan, the router for the spoof and the conflict.
        for event in events where event.kind == .portScan { #expect(event.relatedMACs == [Self.printer]) }
        for event in events where [.arpSpoof, .ipConflict].contains(event.kind) {
            #expect(event.relatedMACs == [Self.router])
        }
    }

    @Test(.needsCorpus) func pipeline_yieldsIdenticalEvents_replayingTheSYNScanTwice() throws {
        let files = try Self.corpusFiles(["tcp/sanders__synscan.pcapng"])
        try #require(files.count == 1, "tcp/sanders__synscan.pcapng missing from the corpus")
        let first = try DetectionReplay.events(files)
        let second = try DetectionReplay.events(files)
        #expect(first.contains { $0.kind == .portScan }, "\(first.map(\.fingerprint))")
        #expect(first.map(\.fingerprint) == second.map(\.fingerprint))
    }

    @Test(.needsCorpus) func pipeline_yieldsIdenticalEvents_replayingTheARPCapturesTwice() throws {
        let files = Self.arpCaptures
        try #require(!files.isEmpty, "no ARP captures in the corpus")
        var total = 0
        var compared = 0
        for file in files {
            let first: [AnomalyEvent]
            do { first = try DetectionReplay.events([file]) } catch let failure as DetectionReplay.ReplayFailure
                where failure.reason.contains("unsupported link type")
            {
                continue  // 802.11 captures: lanscope reads Ethernet and Linux cooked captures only
            }
            let second = try DetectionReplay.events([file])
            total += first.count
            compared += 1
            #expect(first.map(\.fingerprint) == second.map(\.fingerprint), "\(file)")
        }
        // sanders__arppoison.pcapng is a poisoning attack: the comparison is not between empty lists.
        #expect(compared >= 10)
        #expect(total > 0)
    }

    /// A fingerprint with relatedMACs and endTime blanked (what the anomalies table does not keep).
    static func withoutSpanFields(_ fingerprint: String) -> String {
        var parts = fingerprint.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        parts[4] = "[]"
        parts[5] = "-"
        return parts.joined(separator: " ")
    }

    /// `lanscope replay` (the command's logic) twice into two fresh databases stores the same events.
    @Test func replayCommand_storesIdenticalEvents_inTwoDatabases() throws {
        var files = [DetectionReplay.attackCapture]
        if let corpus = TestPaths.corpus {
            files += [corpus + "/tcp/sanders__synscan.pcapng"] + Self.arpCaptures
            files = files.filter { FileManager.default.fileExists(atPath: $0) }
        }
        var stored: [[String]] = []
        for _ in 0..<2 {
            let directory = TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            var runs: [String] = []
            for (index, file) in files.enumerated() {
                let database = directory.appendingPathComponent("\(index).db").path
                _ = try Commands.replay(
                    files: [file], databasePath: database, ouiPath: TestPaths.ouiFixture,
                    logger: Logger(label: "test"))
                let view = try Commands.openForReading(database)
                runs += try view.store.anomalies(since: nil, limit: nil).map(\.fingerprint).sorted()
            }
            stored.append(runs)
        }
        #expect(stored[0].count > 10)
        #expect(stored[0] == stored[1])
        // What is stored is what the pipeline raised, in the fields the anomalies table has.
        let raised = try DetectionReplay.events([DetectionReplay.attackCapture])
        let storedAttacks = Array(stored[0].prefix(raised.count))
        #expect(
            storedAttacks.map(Self.withoutSpanFields).sorted()
                == raised.map(\.fingerprint).map(Self.withoutSpanFields).sorted())
        // Migration 2 stores the related MACs and the end time too: every field survives the database.
        #expect(storedAttacks == raised.map(\.fingerprint).sorted())
    }
}
