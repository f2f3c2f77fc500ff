import Fingerprinting
import Foundation
import LanscopeCore
import Testing

private let debianDirectory = OUIRegistry.defaultDirectory
private let debianFilesPresent = ["oui.csv", "mam.csv", "oui36.csv", "iab.csv"].allSatisfy {
    FileManager.default.fileExists(atPath: debianDirectory + "/" + $0)
}

/// A fresh directory for crafted registry files, removed afterwards.
private final class ScratchDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lanscope-oui-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

private func mac(_ text: String) throws -> MACAddress { try #require(MACAddress(text)) }

@Suite struct OUIRegistryDebianTests {
    @Test(.enabled(if: debianFilesPresent, "Debian ieee-data files not installed in /usr/share/ieee-data"))
    func vendor_namesRealAssignments_fromEachRegistryFile() throws {
        let registry = try OUIRegistry.loadDefault()
        #expect(registry.loadedFiles.count == 4)
        #expect(registry.malformedRows == 0)
        // MA-L rows, organisation names quoted because of their commas.
        #expect(registry.vendor(for: try mac("60:8b:0e:12:34:56")) == "Apple, Inc.")
        #expect(registry.vendor(for: try mac("F4:BD:9E:00:00:01")) == "Cisco Systems, Inc")
        // MA-M `208593B`; the rest of 20:85:93 is the IEEE's own MA-L.
        #expect(registry.vendor(for: try mac("20:85:93:b1:23:45")) == "IOG Products LLC")
        #expect(registry.vendor(for: try mac("20:85:93:f1:23:45")) == "IEEE Registration Authority")
        // MA-S `70B3D5719` wins over the MA-L `70B3D5` that covers it; `70B3D51EC` is not in MA-S.
        #expect(registry.vendor(for: try mac("70:b3:d5:71:9a:bc")) == "2M Technology")
        #expect(registry.vendor(for: try mac("70:b3:d5:ff:7a:bc")) == "Cybercom AB")
        #expect(registry.vendor(for: try mac("70:b3:d5:1e:c0:01")) == "IEEE Registration Authority")
        // IAB rows, one with doubled quotes inside a quoted name.
        #expect(registry.vendor(for: try mac("00:50:c2:7d:50:01")) == "DEUTA-WERKE GmbH")
        #expect(registry.vendor(for: try mac("00:50:c2:f9:d0:01")) == "JSC \"Kaluga Teletypes Manufacturing Plant\"")
        // The locally administered twin of an Apple address names nobody.
        #expect(registry.vendor(for: try mac("62:8b:0e:12:34:56")) == nil)
    }

    @Test(.enabled(if: debianFilesPresent, "Debian ieee-data files not installed in /usr/share/ieee-data"))
    func load_readsEveryRow_ofRealCSVFiles() throws {
        // Count distinct assignments independently: every record starts a line with its registry
        // name (continuation lines of quoted addresses never do).
        func assignments(_ file: String, _ registry: String) throws -> Int {
            let text = try String(contentsOfFile: debianDirectory + "/" + file, encoding: .utf8)
            var seen = Set<Substring>()
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) where line.hasPrefix(registry + ",")
            {
                seen.insert(line.split(separator: ",", maxSplits: 2)[1])
            }
            return seen.count
        }
        let clock = ContinuousClock()
        var registry = OUIRegistry()
        let elapsed = try clock.measure { registry = try OUIRegistry(path: debianDirectory + "/oui.csv") }
        print("oui.csv (\(registry.count.ma24) MA-L) loaded in \(elapsed)")
        #expect(registry.count.ma24 == (try assignments("oui.csv", "MA-L")))
        #expect(registry.count.ma24 > 30_000)
        #expect(registry.malformedRows == 0)

        let all = try clock.measure { registry = try OUIRegistry(path: debianDirectory) }
        print("ieee-data directory (\(registry.count)) loaded in \(all)")
        #expect(registry.count.ma28 == (try assignments("mam.csv", "MA-M")))
        #expect(registry.count.ma36 == (try assignments("oui36.csv", "MA-S")) + (try assignments("iab.csv", "IAB")))
    }

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: debianDirectory + "/oui36.txt"),
            "Debian ieee-data oui36.txt not installed"))
    func load_readsRealTextFormat() throws {
        let registry = try OUIRegistry(path: debianDirectory + "/oui36.txt")
        #expect(registry.malformedRows == 0)
        #expect(registry.count.ma36 > 4_000)
        #expect(registry.vendor(for: try mac("70:b3:d5:71:9a:bc")) == "2M Technology")
        #expect(registry.vendor(for: try mac("70:b3:d5:f2:f0:00")) == "TELEPLATFORMS")
    }
}

@Suite struct OUIRegistryCraftedTests {
    /// CRLF line ends throughout, as in the IEEE files; one quoted address spans two lines.
    static let craftedCSV =
        [
            "Registry,Assignment,Organization Name,Organization Address",
            #"MA-L,A8BBCC,"Big, Block ""Corp""","1 Long Road, Suite 2"#,
            #"Second Line City  US 12345 ""#,
            "MA-M,A8BBCCD,Medium Blocks,Somewhere",
            "MA-S,A8BBCCDEF,Small Block,Elsewhere",
            "IAB,001122334,Old Style IAB,",
            "MA-L,ZZZZZZ,Bad Hex,",
            "MA-L,12345,Too Short,",
            "MA-L,123456,,",
            "",
            "MA-L,020000,Local Bit Set,",
            "MA-L,102030,  Padded Name  ,",
        ].joined(separator: "\r\n") + "\r\n"

    @Test func vendor_prefersLongestPrefix_andCountsMalformedRows() throws {
        let dir = try ScratchDirectory()
        let file = try dir.write("crafted.csv", Self.craftedCSV)
        let registry = try OUIRegistry(path: file)
        #expect(registry.malformedRows == 3)
        #expect(registry.count.ma24 == 3)
        #expect(registry.count.ma28 == 1)
        #expect(registry.count.ma36 == 2)
        #expect(registry.vendor(for: try mac("a8:bb:cc:00:00:01")) == "Big, Block \"Corp\"")
        #expect(registry.vendor(for: try mac("a8:bb:cc:d0:00:01")) == "Medium Blocks")
        #expect(registry.vendor(for: try mac("a8:bb:cc:de:f0:01")) == "Small Block")
        #expect(registry.vendor(for: try mac("a8:bb:cc:de:e0:01")) == "Medium Blocks")
        #expect(registry.vendor(for: try mac("00:11:22:33:40:00")) == "Old Style IAB")
        #expect(registry.vendor(for: try mac("10:20:30:00:00:00")) == "Padded Name")
        #expect(registry.vendor(for: try mac("10:20:31:00:00:00")) == nil)
        // `02:00:00` is in the file, but the U/L bit marks the address as locally administered.
        #expect(registry.vendor(for: try mac("02:00:00:00:00:01")) == nil)
    }

    @Test func load_acceptsHeaderlessLFFile_inOverrideDirectory() throws {
        let dir = try ScratchDirectory()
        try dir.write(
            "oui.csv", "MA-L,3C22FB,\"Apple, Inc.\",1 Infinite Loop Cupertino CA US 95014\nMA-M,3C22FB5,Tiny Co,x\n")
        let registry = try OUIRegistry(path: dir.path)
        #expect(registry.loadedFiles == [dir.path + "/oui.csv"])
        #expect(registry.vendor(for: try mac("3c:22:fb:00:00:01")) == "Apple, Inc.")
        #expect(registry.vendor(for: try mac("3c:22:fb:51:00:01")) == "Tiny Co")
    }

    @Test func load_readsTextFormat_withRangesForSmallBlocks() throws {
        let dir = try ScratchDirectory()
        let file = try dir.write(
            "oui.txt",
            [
                "OUI/MA-L                                                    Organization",
                "company_id                                                  Organization",
                "",
                "A8-BB-CC   (hex)\t\tBig Block",
                "A8BBCC     (base 16)\t\tBig Block",
                "\t\t\t\t1 Road",
                "",
                "A8-BB-CC   (hex)\t\tMedium Blocks",
                "D00000-DFFFFF     (base 16)\t\tMedium Blocks",
                "",
                "A8-BB-CC   (hex)\t\tSmall Block",
                "DEF000-DEFFFF     (base 16)\t\tSmall Block",
                "",
                "A8-BB-CC   (hex)\t\tOdd Range",
                "D10000-D2FFFF     (base 16)\t\tOdd Range",
            ].joined(separator: "\r\n") + "\r\n")
        let registry = try OUIRegistry(path: file)
        #expect(registry.malformedRows == 1)
        #expect(registry.vendor(for: try mac("a8:bb:cc:00:00:01")) == "Big Block")
        #expect(registry.vendor(for: try mac("a8:bb:cc:d1:00:01")) == "Medium Blocks")
        #expect(registry.vendor(for: try mac("a8:bb:cc:de:f1:23")) == "Small Block")
    }

    @Test func init_throwsGarbled_whenFileIsBinaryJunk() throws {
        let dir = try ScratchDirectory()
        var state: UInt32 = 7
        let junk = (0..<4096).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let file = try dir.write("oui.csv", junk)
        let error = try #require(throws: OUIRegistryError.self) { try OUIRegistry(path: file) }
        guard case .garbled(let path, let valid, _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(path == file)
        #expect(valid == 0)
        #expect(error.description.contains(file))
    }

    @Test func init_throwsGarbled_whenMostRowsAreMalformed() throws {
        let dir = try ScratchDirectory()
        let file = try dir.write("notes.csv", "name,age,city\nalice,30,paris\nbob,40,rome\nMA-L,A8BBCC,Only One,\n")
        #expect(throws: OUIRegistryError.garbled(path: file, validRows: 1, malformedRows: 3)) {
            try OUIRegistry(path: file)
        }
    }

    @Test func init_throwsGarbled_whenFileIsEmpty() throws {
        let dir = try ScratchDirectory()
        let file = try dir.write("empty.csv", "")
        #expect(throws: OUIRegistryError.garbled(path: file, validRows: 0, malformedRows: 0)) {
            try OUIRegistry(path: file)
        }
    }

    @Test func init_throwsNotFound_namingPath() throws {
        let dir = try ScratchDirectory()
        let missing = dir.path + "/nope/oui.csv"
        let error = try #require(throws: OUIRegistryError.self) { try OUIRegistry(path: missing) }
        #expect(error == .notFound(path: missing))
        #expect(error.description.contains(missing))
    }

    @Test func init_throwsNoRegistryFiles_whenDirectoryHasNone() throws {
        let dir = try ScratchDirectory()
        try dir.write("unrelated.csv", "MA-L,A8BBCC,X,\n")
        #expect(throws: OUIRegistryError.noRegistryFiles(directory: dir.path)) { try OUIRegistry(path: dir.path) }
    }

    @Test func init_toleratesUnterminatedQuote_atEndOfFile() throws {
        let dir = try ScratchDirectory()
        let file = try dir.write("oui.csv", "MA-L,A8BBCC,Fine,\nMA-L,A8BBCD,Also Fine,\nMA-L,A8BBCE,\"Never closed,\n")
        let registry = try OUIRegistry(path: file)
        #expect(registry.malformedRows == 1)
        #expect(registry.vendor(for: try mac("a8:bb:cd:00:00:00")) == "Also Fine")
        #expect(registry.vendor(for: try mac("a8:bb:ce:00:00:00")) == nil)
    }

    @Test func load_throwsUnreadable_whenFileIsADirectory() throws {
        let dir = try ScratchDirectory()
        var registry = OUIRegistry()
        let error = try #require(throws: OUIRegistryError.self) { try registry.load(file: dir.path) }
        #expect(error == .unreadable(path: dir.path, errno: 21))  // EISDIR
        #expect(error.description.contains(dir.path))
        #expect(registry.isEmpty)
    }

    @Test func vendor_isNilForEveryAddress_inEmptyRegistry() throws {
        let registry = OUIRegistry()
        #expect(registry.isEmpty)
        #expect(registry.vendor(for: try mac("3c:22:fb:00:00:01")) == nil)
    }
}
