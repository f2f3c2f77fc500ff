import Foundation
import Testing

/// `--signatures DIR` on the real executable: extra rules load, a bad file stops start-up with `file:line`.
@Suite(.serialized) struct SignatureOptionTests {
    let lanscope = TestPaths.executable

    func directory(_ files: [String: String]) throws -> URL {
        let directory = TestPaths.temporaryDirectory().appendingPathComponent("signatures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test func replay_loadsExtraSignatures_fromADirectory() throws {
        let extra = try directory([
            "local.tsv": "# ours\nlocal.kitchen\thostname\tprefix\tkitchen-\ttype=appliance\t3\n"
        ])
        let db = TestPaths.temporaryDirectory().appendingPathComponent("sig.db").path
        let (status, _, err) = try run(
            lanscope, ["replay", TestPaths.sampleCapture, "--signatures", extra.path, "--db", db])
        #expect(status == 0, "\(err)")
    }

    @Test func replay_refusesABadSignatureFile_withFileAndLine() throws {
        let bad = try directory(["bad.tsv": "# header\nonly\tthree\tfields\n"])
        let db = TestPaths.temporaryDirectory().appendingPathComponent("sig-bad.db").path
        let (status, _, err) = try run(
            lanscope, ["replay", TestPaths.sampleCapture, "--signatures", bad.path, "--db", db])
        #expect(status != 0)
        #expect(
            err.contains(bad.appendingPathComponent("bad.tsv").path + ":2: expected 6 tab-separated fields"), "\(err)")
    }

    /// `--oui-file` naming something that is not a registry stops the replay with one line that names the
    /// option and the file, not a warning saying it continues.
    @Test func replay_refusesABadOUIFile_namingTheOption() throws {
        let db = TestPaths.temporaryDirectory().appendingPathComponent("oui-bad.db").path
        let (status, _, err) = try run(
            lanscope, ["replay", TestPaths.sampleCapture, "--oui-file", TestPaths.sampleCapture, "--db", db])
        #expect(status != 0)
        #expect(
            err.contains("--oui-file: vendor registry \(TestPaths.sampleCapture): not an IEEE registry file"), "\(err)")
        #expect(!err.contains("continuing"), "\(err)")
        #expect(!err.contains("warning"), "\(err)")
    }
}
