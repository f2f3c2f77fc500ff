import HTTPServer
import LanscopeTop
import Logging
import TestSupport
import Testing

/// `lanscope top` against an https `--url`: lanscope's own HTTP server with `tls_server_config`, and
/// certificates made with the openssl CLI (a CA, a server certificate for 127.0.0.1 and localhost, client
/// certificates from that CA and from another).
@Suite(.enabled(if: TestCertificates.opensslPath != nil, "needs the openssl CLI (apt-get install openssl)"))
struct APIClientTLSTests {
    static let body = #"[{"mac":"aa:bb:cc:dd:ee:ff","hostname":"x"}]"#

    /// Serves `/devices.json` over TLS on `listen` (port 0) and hands the body the port.
    func withServer(
        _ certificates: TestCertificates, listen: String = "127.0.0.1:0",
        clientAuth: TLSServerConfiguration.ClientAuth = .noClientCert, _ body: (Int) throws -> Void
    ) throws {
        let router = HTTPRouter()
        router.get("/devices.json") { _, _ in .json(Array(Self.body.utf8)) }
        var configuration = HTTPServer.Configuration(listen: listen)
        configuration.tls = TLSServerConfiguration(
            certFile: certificates.serverCertificate, keyFile: certificates.serverKey, clientAuth: clientAuth,
            clientCAFile: clientAuth == .noClientCert ? nil : certificates.caCertificate)
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "test"))
        let ports = try server.start()
        defer {
            server.shutdown(gracePeriod: .seconds(1))
            server.waitUntilStopped()
        }
        try body(ports[0])
    }

    func connectionError(_ client: APIClient) -> String? {
        do {
            _ = try client.get("/devices.json")
            return nil
        } catch {
            guard case .connection(let why) = error else { return "\(error)" }
            return why
        }
    }

    @Test func get_overTLS_verifiesTheServer_byAddressAndByName_andKeepsTheConnection() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try withServer(certificates) { port in
            for host in ["127.0.0.1", "localhost"] {
                let client = APIClient(
                    address: try ServerAddress("https://\(host):\(port)"), credentials: nil,
                    tls: TLSClientOptions(caFile: certificates.caCertificate))
                for _ in 0..<3 {
                    #expect(
                        try DeviceSummary.decodeList(client.get("/devices.json")).map(\.mac) == ["aa:bb:cc:dd:ee:ff"])
                }
            }
        }
    }

    @Test func get_overTLS_refusesAServerItCannotVerify_andSaysWhy() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try withServer(certificates) { port in
            let address = try ServerAddress("https://127.0.0.1:\(port)")
            // The test CA is in no system trust store; another CA did not sign the server's certificate.
            for options in [TLSClientOptions(), TLSClientOptions(caFile: certificates.otherCACertificate)] {
                let why = connectionError(APIClient(address: address, credentials: nil, tls: options))
                #expect(why?.contains("certificate was refused") == true, "\(why ?? "no error")")
                #expect(why?.contains("--ca-file") == true)
            }
        }
    }

    /// The certificate names 127.0.0.1 and localhost, not ::1: the right CA is not enough.
    @Test func get_overTLS_refusesACertificateForAnotherAddress() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try withServer(certificates, listen: "[::1]:0") { port in
            let client = APIClient(
                address: try ServerAddress("https://[::1]:\(port)"), credentials: nil,
                tls: TLSClientOptions(caFile: certificates.caCertificate))
            let why = connectionError(client)
            #expect(why?.contains("mismatch") == true, "\(why ?? "no error")")
        }
    }

    @Test func get_overTLS_presentsAClientCertificate_whenTheServerRequiresOne() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try withServer(certificates, clientAuth: .requireAndVerifyClientCert) { port in
            let address = try ServerAddress("https://127.0.0.1:\(port)")
            let withCertificate = APIClient(
                address: address, credentials: nil,
                tls: TLSClientOptions(
                    caFile: certificates.caCertificate, certificateFile: certificates.clientCertificate,
                    keyFile: certificates.clientKey))
            #expect(try withCertificate.get("/devices.json") == Array(Self.body.utf8))
            for options in [
                TLSClientOptions(caFile: certificates.caCertificate),
                TLSClientOptions(
                    caFile: certificates.caCertificate, certificateFile: certificates.otherClientCertificate,
                    keyFile: certificates.otherClientKey),
            ] {
                #expect(connectionError(APIClient(address: address, credentials: nil, tls: options)) != nil)
            }
        }
    }

    @Test func get_overTLS_namesTheFile_forUnusableCertificateFiles() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try withServer(certificates) { port in
            let address = try ServerAddress("https://127.0.0.1:\(port)")
            let cases: [(TLSClientOptions, String)] = [
                (TLSClientOptions(caFile: certificates.directory + "/missing.pem"), "--ca-file"),
                (TLSClientOptions(caFile: certificates.serverKey), "--ca-file"),
                (
                    TLSClientOptions(
                        caFile: certificates.caCertificate, certificateFile: certificates.clientCertificate,
                        keyFile: certificates.otherClientKey), "--client-key"
                ),
            ]
            for (options, flag) in cases {
                let why = connectionError(APIClient(address: address, credentials: nil, tls: options))
                #expect(why?.contains(flag) == true, "\(why ?? "no error")")
            }
        }
    }

    /// An https client talking to a plain-HTTP lanscope gets a handshake error, not a hang.
    @Test func get_overTLS_failsClearly_againstAPlainHTTPServer() throws {
        let router = HTTPRouter()
        router.get("/devices.json") { _, _ in .json(Array(Self.body.utf8)) }
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(listen: "127.0.0.1:0"), router: router, logger: Logger(label: "t"))
        let ports = try server.start()
        defer {
            server.shutdown(gracePeriod: .seconds(1))
            server.waitUntilStopped()
        }
        let client = APIClient(address: try ServerAddress("https://127.0.0.1:\(ports[0])"), credentials: nil)
        let why = connectionError(client)
        #expect(why?.contains("TLS with 127.0.0.1") == true, "\(why ?? "no error")")
    }
}
