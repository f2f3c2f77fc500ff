/// TLS settings of the server: the `tls_server_config:` block of a Prometheus web-config file, with the
/// names and defaults the Prometheus exporter toolkit uses, so one file serves lanscope and any exporter.
public struct TLSServerConfiguration: Sendable, Equatable {
    /// Whether and how clients must present a certificate (exporter-toolkit's `client_auth_type`).
    public enum ClientAuth: String, Sendable, CaseIterable {
        /// No certificate is asked for (the default).
        case noClientCert = "NoClientCert"
        /// A certificate is asked for but neither required nor verified.
        case requestClientCert = "RequestClientCert"
        /// A certificate is required but not verified.
        case requireAnyClientCert = "RequireAnyClientCert"
        /// A certificate, when given, must verify against `client_ca_file`.
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        /// A certificate is required and must verify against `client_ca_file` (mutual TLS).
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// The peer's certificate is checked against `client_ca_file`, which must then be set.
        var verifies: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
        /// A handshake without a client certificate fails.
        var requiresCertificate: Bool { self == .requireAnyClientCert || self == .requireAndVerifyClientCert }
    }

    /// Protocol versions. TLS 1.0 and 1.1 (`TLS10`, `TLS11`) are refused: deprecated by RFC 8996.
    public enum Version: String, Sendable, Comparable, CaseIterable {
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        public static func < (lhs: Version, rhs: Version) -> Bool { lhs == .tls12 && rhs == .tls13 }
    }

    /// PEM certificate chain (server certificate first). Relative paths in a web-config file are resolved
    /// against the file's directory, as the exporter toolkit does.
    public var certFile: String
    /// PEM private key of `certFile`; must not be readable by group or others.
    public var keyFile: String
    /// Default ``ClientAuth/noClientCert``.
    public var clientAuth: ClientAuth
    /// PEM CA certificates client certificates are verified against; required by the verifying modes.
    public var clientCAFile: String?
    /// Default TLS 1.2.
    public var minVersion: Version
    /// Default TLS 1.3.
    public var maxVersion: Version
    /// Time from accept until the handshake must be complete; a client that never finishes it is closed
    /// (the TLS counterpart of the slowloris defence). Default 10 s.
    public var handshakeTimeout: Duration
    /// How often the certificate, key and CA files are checked for changes (size, mtime, inode) and
    /// re-read. Default 5 s.
    public var reloadCheckInterval: Duration
    /// Where these settings came from (the web-config path), named in error messages; default empty.
    public var source: String

    public init(
        certFile: String, keyFile: String, clientAuth: ClientAuth = .noClientCert, clientCAFile: String? = nil,
        minVersion: Version = .tls12, maxVersion: Version = .tls13, handshakeTimeout: Duration = .seconds(10),
        reloadCheckInterval: Duration = .seconds(5), source: String = ""
    ) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.clientAuth = clientAuth
        self.clientCAFile = clientCAFile
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.handshakeTimeout = handshakeTimeout
        self.reloadCheckInterval = reloadCheckInterval
        self.source = source
    }
}

/// Why TLS settings cannot be used: the message names the file, the setting and what is wrong
/// (`web.yml:4: tls_server_config.min_version: …`).
public struct TLSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
