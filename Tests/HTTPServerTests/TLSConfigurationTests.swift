import Foundation
import HTTPServer
import Logging
import Testing

@testable import TestSupport

/// `tls_server_config` in the web-config file, and start-up errors that name the file, the setting and
/// the problem for each bad configuration.
@Suite(.serialized) struct TLSConfigurationTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "lanscope-web-\(getpid())-\(UUID().uuidString.prefix(8)).yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func webConfig_readsEveryKey_resolvingRelativePathsAgainstTheFile() throws {
        let path = try write(
            """
            # comment
            basic_auth_users:
              alice: $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO
            tls_server_config:
              cert_file: "server.pem"
              key_file: /etc/keys/server.key  # absolute
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: 'ca.pem'
              min_version: TLS13
              max_version: TLS13
            """)
        defer { unlink(path) }
        let file = try WebConfigFile.load(path: path)
        let directory = String(path[...path.lastIndex(of: "/")!])
        #expect(file.hasBasicAuthUsers)
        #expect(
            file.tls
                == TLSServerConfiguration(
                    certFile: directory + "server.pem", keyFile: "/etc/keys/server.key",
                    clientAuth: .requireAndVerifyClientCert, clientCAFile: directory + "ca.pem",
                    minVersion: .tls13, maxVersion: .tls13, source: path))
        // The users map is still read by the basic-auth loader, the TLS block skipped there.
        #expect(try Authentication.load(realm: "r", basicAuthUsersFile: path).basicAuthUsers.count == 1)
    }

    /// A web config saved with CRLF line ends reads as with LF (values carry no "\r").
    @Test func webConfig_crlfLineEnds_likeLF() throws {
        let path = try write(
            [
                "basic_auth_users:", "  alice: $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO",
                "tls_server_config:", "  cert_file: /etc/keys/server.pem", "  key_file: /etc/keys/server.key",
                "  min_version: TLS13", "",
            ].joined(separator: "\r\n"))
        defer { unlink(path) }
        let file = try WebConfigFile.load(path: path)
        #expect(file.hasBasicAuthUsers)
        #expect(file.tls?.certFile == "/etc/keys/server.pem")
        #expect(file.tls?.keyFile == "/etc/keys/server.key")
        #expect(file.tls?.minVersion == .tls13)
        #expect(try Authentication.load(realm: "r", basicAuthUsersFile: path).basicAuthUsers.count == 1)
    }

    @Test func webConfig_withoutTLS_hasNoTLS_andDefaultsAreTheToolkits() throws {
        let usersOnly = try write(
            "basic_auth_users:\n  alice: $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n")
        defer { unlink(usersOnly) }
        #expect(try WebConfigFile.load(path: usersOnly).tls == nil)
        let minimal = try write("tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n")
        defer { unlink(minimal) }
        let tls = try #require(try WebConfigFile.load(path: minimal).tls)
        #expect(tls.clientAuth == .noClientCert && tls.minVersion == .tls12 && tls.maxVersion == .tls13)
        #expect(!(try WebConfigFile.load(path: minimal).hasBasicAuthUsers))
    }

    @Test(arguments: [
        ("  cert_file: /c\n  key_file: /k\n  foo: bar\n", "3: tls_server_config: unknown setting \"foo\""),
        (
            "  cert_file: /c\n  key_file: /k\nhttp_server_config:\n  http2: false\n",
            "3: unknown setting \"http_server_config\""
        ),
        (
            "  cert_file: /c\n  key_file: /k\n  min_version: TLS10\n",
            "3: tls_server_config.min_version: TLS10 is not supported"
        ),
        (
            "  cert_file: /c\n  key_file: /k\n  max_version: TLS14\n",
            "3: tls_server_config.max_version: \"TLS14\" is not one of"
        ),
        (
            "  cert_file: /c\n  key_file: /k\n  min_version: TLS13\n  max_version: TLS12\n",
            "3: tls_server_config.min_version: is above max_version"
        ),
        (
            "  cert_file: /c\n  key_file: /k\n  client_auth_type: RequireAndVerifyClientCert\n",
            "3: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file"
        ),
        ("  cert_file: /c\n  key_file: /k\n  client_auth_type: VerifyClientCertIfGiven\n", "needs client_ca_file"),
        (
            "  cert_file: /c\n  key_file: /k\n  client_auth_type: Always\n",
            "3: tls_server_config.client_auth_type: \"Always\" is not one of"
        ),
        (
            "  cert_file: /c\n  key_file: /k\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n",
            "3: tls_server_config.cipher_suites is not supported"
        ),
        (
            "  cert_file: /c\n  key_file: /k\n  curve_preferences: [X25519]\n",
            "3: tls_server_config.curve_preferences is not supported"
        ),
        ("  cert_file: /c\n", "0: tls_server_config.key_file: missing"),
        ("  key_file: /k\n", "0: tls_server_config.cert_file: missing"),
        ("  cert_file: /c\n  cert_file: /d\n  key_file: /k\n", "2: tls_server_config.cert_file given twice"),
        ("  cert_file: \"/c\n  key_file: /k\n", "1: tls_server_config.cert_file: unbalanced quotes"),
    ])
    func webConfig_refusesBadSettings_namingFileLineAndKey(body: String, message: String) throws {
        let path = try write("tls_server_config:\n" + body)
        defer { unlink(path) }
        // Line numbers in `message` count from the block's first setting; the block header is line 1.
        let expected = message.replacing(/^(\d+):/) { match in "\(path):\(Int(match.1)! + 1):" }
        do {
            _ = try WebConfigFile.load(path: path)
            Issue.record("accepted: \(body)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description) lacks \(expected)")
        }
    }

    @Test func missingWebConfig_isAnErrorNamingIt() {
        #expect(throws: TLSConfigurationError.self) { _ = try WebConfigFile.load(path: "/nonexistent/web.yml") }
    }

    func startError(_ configuration: TLSServerConfiguration) -> String? {
        let server = HTTPServer(
            configuration: .init(listen: "127.0.0.1:0", tls: configuration), router: HTTPRouter(),
            logger: Logger(label: "test"))
        do {
            _ = try server.start()
            server.shutdown(gracePeriod: .zero)
            server.waitUntilStopped()
            return nil
        } catch {
            return error.description
        }
    }

    @Test(.enabled(if: TestCertificates.opensslPath != nil, "needs the openssl CLI"))
    func start_refusesBadCertificateFiles_withTheFileTheKeyAndTheProblem() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let good = TLSServerConfiguration(
            certFile: certificates.serverCertificate, keyFile: certificates.serverKey, source: "web.yml")
        #expect(startError(good) == nil)

        var missingCertificate = good
        missingCertificate.certFile = certificates.directory + "/absent.pem"
        #expect(
            startError(missingCertificate)
                == "web.yml: tls_server_config.cert_file: cannot read \(certificates.directory)/absent.pem: No such file or directory"
        )
        var missingKey = good
        missingKey.keyFile = certificates.directory + "/absent.key"
        #expect(startError(missingKey)?.hasPrefix("web.yml: tls_server_config.key_file: cannot read") == true)

        var mismatched = good
        mismatched.keyFile = certificates.secondServerKey
        #expect(
            startError(mismatched)
                == "web.yml: tls_server_config.key_file: \(certificates.secondServerKey) does not match cert_file \(certificates.serverCertificate)"
        )

        let garbage = certificates.directory + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        chmod(garbage, 0o600)
        var notPEM = good
        notPEM.certFile = garbage
        #expect(
            startError(notPEM)?.hasPrefix("web.yml: tls_server_config.cert_file: \(garbage): no usable PEM certificate")
                == true)
        notPEM = good
        notPEM.keyFile = garbage
        #expect(
            startError(notPEM)?.hasPrefix("web.yml: tls_server_config.key_file: \(garbage): no usable PEM private key")
                == true)

        chmod(certificates.serverKey, 0o640)
        #expect(
            startError(good)
                == "web.yml: tls_server_config.key_file: \(certificates.serverKey) is readable by group or others (mode 640); chmod 600 it"
        )
        chmod(certificates.serverKey, 0o600)

        var badCA = good
        badCA.clientAuth = .requireAndVerifyClientCert
        badCA.clientCAFile = garbage
        #expect(
            startError(badCA)?.hasPrefix("web.yml: tls_server_config.client_ca_file: \(garbage): no usable PEM CA")
                == true)
        badCA.clientCAFile = certificates.directory + "/absent-ca.pem"
        #expect(startError(badCA)?.hasPrefix("web.yml: tls_server_config.client_ca_file: cannot read") == true)
    }
}
