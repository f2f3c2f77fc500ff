import Foundation
import HTTPServer
import Testing

@testable import TestSupport

/// HTTPS with curl (OpenSSL-based, independent of our adapter): protocol versions, `min_version`, mutual
/// TLS with the configured CA, another CA's certificate and none, and responses larger than one record.
@Suite(.serialized, .enabled(if: TLSTools.available, "needs curl and the openssl CLI"))
struct TLSCurlTests {
    @Test func https_servesTLS12AndTLS13_andKeepsAlive() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates)
        defer { test.stop() }
        let url = "https://127.0.0.1:\(test.port)"
        let tls12 = try TLSTools.curl(certificates, ["--tlsv1.2", "--tls-max", "1.2", "\(url)/hello"])
        #expect(tls12.status == 0 && tls12.output == "hello\n", "\(tls12)")
        let tls13 = try TLSTools.curl(
            certificates, ["--tlsv1.3", "-w", "%{num_connects}", "\(url)/hello", "\(url)/echo?a=b"])
        // Two requests, one connection (keep-alive over TLS).
        #expect(tls13.status == 0 && tls13.output == "hello\n1a=b0", "\(tls13)")
        let plain = try TLSTools.curl(certificates, ["http://127.0.0.1:\(test.port)/hello"])
        #expect(plain.status != 0, "plain HTTP on the TLS port must not be answered: \(plain)")
        let statistics = test.statistics { $0.tlsHandshakesCompleted >= 2 && $0.tlsHandshakesFailed >= 1 }
        #expect(statistics.tlsHandshakesCompleted == 2)
        #expect(statistics.tlsHandshakesFailed == 1)
    }

    @Test func minVersionTLS13_refusesATLS12Client() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates) { $0.minVersion = .tls13 }
        defer { test.stop() }
        let url = "https://127.0.0.1:\(test.port)/hello"
        let old = try TLSTools.curl(certificates, ["--tlsv1.2", "--tls-max", "1.2", url])
        #expect(old.status == 35, "curl exit 35 is a failed TLS handshake: \(old)")
        let current = try TLSTools.curl(certificates, ["--tlsv1.3", url])
        #expect(current.status == 0 && current.output == "hello\n", "\(current)")
    }

    @Test func maxVersionTLS12_negotiatesTLS12() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates) { $0.maxVersion = .tls12 }
        defer { test.stop() }
        let url = "https://127.0.0.1:\(test.port)/hello"
        let refused = try TLSTools.curl(certificates, ["--tlsv1.3", url])
        #expect(refused.status == 35, "\(refused)")
        let client = try SClient(port: test.port, certificates: certificates, arguments: ["-quiet"])
        defer { client.stop() }
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(client.read(until: "hello\n"), "\(client.text)")
    }

    @Test func mutualTLS_acceptsTheConfiguredCA_refusesNoneAndAnotherCA() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates) {
            $0.clientAuth = .requireAndVerifyClientCert
            $0.clientCAFile = certificates.caCertificate
        }
        defer { test.stop() }
        let url = "https://127.0.0.1:\(test.port)/hello"
        for version in ["--tlsv1.2", "--tlsv1.3"] {
            let maximum = version == "--tlsv1.2" ? ["--tls-max", "1.2"] : []
            let accepted = try TLSTools.curl(
                certificates,
                [version] + maximum + ["--cert", certificates.clientCertificate, "--key", certificates.clientKey, url])
            #expect(accepted.status == 0 && accepted.output == "hello\n", "\(version): \(accepted)")
            let without = try TLSTools.curl(certificates, [version] + maximum + [url])
            #expect(without.status != 0 && !without.output.contains("hello"), "\(version): \(without)")
            let other = try TLSTools.curl(
                certificates,
                [version] + maximum + [
                    "--cert", certificates.otherClientCertificate, "--key", certificates.otherClientKey, url,
                ])
            #expect(other.status != 0 && !other.output.contains("hello"), "\(version): \(other)")
        }
        let statistics = test.statistics { $0.tlsHandshakesFailed >= 2 }
        #expect(statistics.tlsHandshakesFailed >= 2)
    }

    @Test func verifyClientCertIfGiven_acceptsNone_refusesAnotherCA() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates) {
            $0.clientAuth = .verifyClientCertIfGiven
            $0.clientCAFile = certificates.caCertificate
        }
        defer { test.stop() }
        let url = "https://127.0.0.1:\(test.port)/hello"
        let without = try TLSTools.curl(certificates, ["--tlsv1.2", "--tls-max", "1.2", url])
        #expect(without.status == 0 && without.output == "hello\n", "\(without)")
        let other = try TLSTools.curl(
            certificates,
            [
                "--tlsv1.2", "--tls-max", "1.2", "--cert", certificates.otherClientCertificate, "--key",
                certificates.otherClientKey, url,
            ])
        #expect(other.status != 0, "\(other)")
    }

    @Test func largeResponse_arrivesWhole_overManyRecords() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let router = TestServer.defaultRouter()
        // 3 MiB: hundreds of records and many partial writes; a checksum-like pattern catches reordering.
        let body = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        router.get("/big") { _, _ in HTTPResponse(status: .ok, body: body) }
        let test = try TLSTools.start(certificates, router: router)
        defer { test.stop() }
        let file = certificates.directory + "/big.out"
        let result = try TLSTools.curl(
            certificates, ["-o", file, "https://127.0.0.1:\(test.port)/big", "https://127.0.0.1:\(test.port)/hello"])
        #expect(result.status == 0 && result.output == "hello\n", "\(result)")
        let received = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(received.count == body.count)
        #expect(received == body)
    }
}
