import Foundation
import HTTPServer
import Testing

@testable import TestSupport

/// Certificates re-read when their files change (and on `reloadTLS()`, what SIGHUP calls): new handshakes
/// see the new certificate while an open keep-alive connection keeps working; a broken replacement keeps
/// the old certificate.
@Suite(.serialized, .enabled(if: TLSTools.available, "needs curl and the openssl CLI"))
struct TLSReloadTests {
    /// The subject of the certificate a new handshake presents.
    func presentedSubject(port: Int, _ certificates: TestCertificates) throws -> String {
        let client = try SClient(port: port, certificates: certificates)
        defer { client.stop() }
        client.read(until: "Verify return code")
        return client.text.contains("CN = lanscope test server2")
            ? "server2" : client.text.contains("CN = lanscope test server") ? "server" : client.text
    }

    func waitForSubject(_ subject: String, port: Int, _ certificates: TestCertificates) throws -> String {
        var seen = ""
        for _ in 0..<40 {
            seen = try presentedSubject(port: port, certificates)
            if seen == subject { break }
            usleep(100_000)
        }
        return seen
    }

    @Test func changedFiles_areServedToNewHandshakes_whileAnOpenConnectionKeepsWorking() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        // The server reads copies, so the test can replace them.
        let certificate = certificates.directory + "/live.pem"
        let key = certificates.directory + "/live.key"
        try FileManager.default.copyItem(atPath: certificates.serverCertificate, toPath: certificate)
        try FileManager.default.copyItem(atPath: certificates.serverKey, toPath: key)
        chmod(key, 0o600)
        let test = try TLSTools.start(certificates) {
            $0.certFile = certificate
            $0.keyFile = key
        }
        defer { test.stop() }
        #expect(try presentedSubject(port: test.port, certificates) == "server")

        let open = try SClient(port: test.port, certificates: certificates, arguments: ["-quiet"])
        defer { open.stop() }
        open.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(open.read(until: "hello\n"), "\(open.text)")

        // Replace both files the way deployment tools do: write aside, rename over.
        try FileManager.default.copyItem(atPath: certificates.secondServerKey, toPath: key + ".new")
        chmod(key + ".new", 0o600)
        try FileManager.default.copyItem(atPath: certificates.secondServerCertificate, toPath: certificate + ".new")
        rename(key + ".new", key)
        rename(certificate + ".new", certificate)
        #expect(try waitForSubject("server2", port: test.port, certificates) == "server2")

        open.send("GET /echo?still=open HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(open.read(until: "still=open"), "the keep-alive connection was dropped: \(open.text)")
        #expect(open.process.isRunning)
    }

    @Test func brokenReplacement_keepsTheOldCertificate_andForcedReloadPicksUpAFixedOne() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let certificate = certificates.directory + "/live.pem"
        let key = certificates.directory + "/live.key"
        try FileManager.default.copyItem(atPath: certificates.serverCertificate, toPath: certificate)
        try FileManager.default.copyItem(atPath: certificates.serverKey, toPath: key)
        chmod(key, 0o600)
        let test = try TLSTools.start(certificates) {
            $0.certFile = certificate
            $0.keyFile = key
            $0.reloadCheckInterval = .seconds(3600)  // only forced reloads in this test
        }
        defer { test.stop() }
        // Half a rotation: the new certificate without its key. The reload fails; the old pair stays.
        try FileManager.default.removeItem(atPath: certificate)
        try FileManager.default.copyItem(atPath: certificates.secondServerCertificate, toPath: certificate)
        #expect(!test.server.reloadTLS())
        #expect(try presentedSubject(port: test.port, certificates) == "server")
        let served = try TLSTools.curl(certificates, ["https://127.0.0.1:\(test.port)/hello"])
        #expect(served.status == 0 && served.output == "hello\n")
        // The key arrives: SIGHUP's reload takes both.
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.copyItem(atPath: certificates.secondServerKey, toPath: key)
        chmod(key, 0o600)
        #expect(test.server.reloadTLS())
        #expect(try presentedSubject(port: test.port, certificates) == "server2")
    }
}
