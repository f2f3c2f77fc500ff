public import Foundation

/// Certificates made at test time with the `openssl` CLI in a temporary directory: a CA with a server
/// certificate (for 127.0.0.1 and localhost) and a client certificate, a second server certificate from
/// the same CA (reload tests), and another CA with its own client certificate (mutual TLS refusals).
/// EC P-256 keys, written mode 0600, valid two days.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCertificate: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var secondServerCertificate: String { directory + "/server2.pem" }
    public var secondServerKey: String { directory + "/server2.key" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    public var otherCACertificate: String { directory + "/other-ca.pem" }
    public var otherClientCertificate: String { directory + "/other-client.pem" }
    public var otherClientKey: String { directory + "/other-client.key" }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// nil when the `openssl` CLI is missing (callers skip with that reason).
    public static var opensslPath: String? { TestEnvironment.tool("openssl") }

    public static func make() throws -> TestCertificates {
        guard let openssl = opensslPath else {
            throw Failure(description: "openssl CLI missing (apt-get install openssl)")
        }
        let directory = NSTemporaryDirectory() + "lanscope-tls-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        let run = { (arguments: [String]) throws in try Self.run(openssl, arguments, in: directory) }
        for ca in ["ca", "other-ca"] {
            try run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "2", "-subj", "/CN=lanscope test \(ca)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        }
        let serverExtensions = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
        let clientExtensions = "extendedKeyUsage=clientAuth\n"
        try serverExtensions.write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try clientExtensions.write(toFile: directory + "/client.ext", atomically: true, encoding: .utf8)
        for (name, ca, extensions) in [
            ("server", "ca", "server.ext"), ("server2", "ca", "server.ext"), ("client", "ca", "client.ext"),
            ("other-client", "other-ca", "client.ext"),
        ] {
            try run([
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=lanscope test \(name)",
            ])
            try run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-CAcreateserial",
                "-out", "\(name).pem", "-days", "2", "-extfile", extensions,
            ])
        }
        for key in ["ca", "other-ca", "server", "server2", "client", "other-client"] {
            chmod(directory + "/\(key).key", 0o600)
        }
        return certificates
    }

    /// Writes a web-config file with `tls_server_config` (plus extra lines under it) and returns its path.
    public func webConfig(
        _ extra: String = "", certificate: String? = nil, key: String? = nil, name: String = "web.yml"
    ) throws -> String {
        let text = """
            tls_server_config:
              cert_file: \(certificate ?? serverCertificate)
              key_file: \(key ?? serverKey)
            \(extra.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

            """
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }

    static func run(_ tool: String, _ arguments: [String], in directory: String) throws {
        let result = try runTool(tool, arguments, in: directory)
        guard result.status == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")): \(result.output)")
        }
    }
}
