#if canImport(Glibc)
    import Glibc
#endif

/// A Prometheus web-config file as lanscope reads it: `basic_auth_users:` (parsed by `BasicAuthUsersFile`)
/// and `tls_server_config:`. Any other top-level or TLS setting is an error, never silently ignored — a
/// setting an operator believes is in force must be. `cipher_suites`, `curve_preferences` and
/// `prefer_server_cipher_suites` are refused too: OpenSSL's defaults for TLS 1.2 (ECDHE AEAD suites) and
/// TLS 1.3 apply, and a list we could not honour exactly would be worse than none.
public struct WebConfigFile: Sendable, Equatable {
    public let path: String
    /// The file has a `basic_auth_users:` map (load it with ``Authentication/load(realm:basicAuthUsersFile:bearerTokenFile:)``).
    public let hasBasicAuthUsers: Bool
    /// The `tls_server_config:` block, with relative paths resolved against the file's directory.
    public let tls: TLSServerConfiguration?
    /// The file's text as read, so its users are parsed from the same bytes its structure was checked in
    /// (``Authentication/load(realm:webConfig:bearerTokenFile:)``), never from a second read that could see
    /// another file.
    let text: String

    static let refusedTLSKeys = ["cipher_suites", "curve_preferences", "prefer_server_cipher_suites"]

    /// Reads and checks the file's structure (not yet the certificate files: the server does at start).
    public static func load(path: String) throws(TLSConfigurationError) -> WebConfigFile {
        let text: String
        do { text = try Authentication.readFile(path) } catch { throw TLSConfigurationError("\(error)") }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws(TLSConfigurationError) -> WebConfigFile {
        var section: String?
        var sawUsers = false
        var tlsLine: Int?
        var settings: [String: (line: Int, value: String)] = [:]
        var lineNumber = 0
        func fail(_ line: Int, _ what: String) -> TLSConfigurationError {
            TLSConfigurationError("\(path):\(line): \(what)")
        }
        // "\r\n" is one Character: split on it too, or a file saved with CRLF line ends is one line.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = YAMLLine.stripComment(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let indented = line.first == " " || line.first == "\t"
            guard let colon = line.firstIndex(of: ":") else {
                throw fail(lineNumber, "expected \"key: value\"")
            }
            let key = String(YAMLLine.trimmed(line[..<colon]))
            let value = YAMLLine.trimmed(line[line.index(after: colon)...])
            if !indented {
                guard value.isEmpty else { throw fail(lineNumber, "\(key): expected a map") }
                switch key {
                case "basic_auth_users": sawUsers = true
                case "tls_server_config":
                    guard tlsLine == nil else { throw fail(lineNumber, "tls_server_config given twice") }
                    tlsLine = lineNumber
                default:
                    throw fail(
                        lineNumber, "unknown setting \"\(key)\" (supported: basic_auth_users, tls_server_config)")
                }
                section = key
                continue
            }
            guard section == "tls_server_config" else { continue }  // basic_auth_users: its own parser
            if Self.refusedTLSKeys.contains(key) {
                throw fail(
                    lineNumber,
                    "tls_server_config.\(key) is not supported: OpenSSL's default suites and groups are used")
            }
            guard TLSKey(rawValue: key) != nil else {
                throw fail(
                    lineNumber,
                    "tls_server_config: unknown setting \"\(key)\" (supported: "
                        + TLSKey.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            guard settings[key] == nil else { throw fail(lineNumber, "tls_server_config.\(key) given twice") }
            do { settings[key] = (lineNumber, try YAMLLine.unquote(value)) } catch {
                throw fail(lineNumber, "tls_server_config.\(key): \(error.description)")
            }
        }
        guard let tlsLine else {
            return WebConfigFile(path: path, hasBasicAuthUsers: sawUsers, tls: nil, text: text)
        }
        let tls = try TLSSettings(settings: settings, path: path, sectionLine: tlsLine).configuration()
        return WebConfigFile(path: path, hasBasicAuthUsers: sawUsers, tls: tls, text: text)
    }
}

/// The keys of `tls_server_config:` we implement.
enum TLSKey: String, CaseIterable {
    case certFile = "cert_file", keyFile = "key_file", clientAuthType = "client_auth_type"
    case clientCAFile = "client_ca_file", minVersion = "min_version", maxVersion = "max_version"
}

/// Turns the block's key/value pairs into a configuration, checking each value.
private struct TLSSettings {
    let settings: [String: (line: Int, value: String)]
    let path: String
    let sectionLine: Int

    func configuration() throws(TLSConfigurationError) -> TLSServerConfiguration {
        let cert = try file(.certFile, required: true)!
        let key = try file(.keyFile, required: true)!
        var configuration = TLSServerConfiguration(certFile: cert, keyFile: key, source: path)
        if let (line, value) = settings[TLSKey.clientAuthType.rawValue] {
            guard let mode = TLSServerConfiguration.ClientAuth(rawValue: value) else {
                throw error(
                    line, .clientAuthType,
                    "\"\(value)\" is not one of "
                        + TLSServerConfiguration.ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))
            }
            configuration.clientAuth = mode
        }
        configuration.clientCAFile = try file(.clientCAFile, required: false)
        if configuration.clientAuth.verifies && configuration.clientCAFile == nil {
            throw error(
                settings[TLSKey.clientAuthType.rawValue]?.line ?? sectionLine, .clientAuthType,
                "\(configuration.clientAuth.rawValue) needs client_ca_file")
        }
        configuration.minVersion = try version(.minVersion) ?? .tls12
        configuration.maxVersion = try version(.maxVersion) ?? .tls13
        if configuration.minVersion > configuration.maxVersion {
            throw error(settings[TLSKey.minVersion.rawValue]!.line, .minVersion, "is above max_version")
        }
        return configuration
    }

    private func file(_ key: TLSKey, required: Bool) throws(TLSConfigurationError) -> String? {
        guard let (line, value) = settings[key.rawValue], !value.isEmpty else {
            if required { throw error(sectionLine, key, "missing") }
            return nil
        }
        _ = line
        if value.hasPrefix("/") { return value }
        // Relative to the web-config file, as the exporter toolkit resolves them.
        guard let slash = path.lastIndex(of: "/") else { return value }
        return String(path[...slash]) + value
    }

    private func version(_ key: TLSKey) throws(TLSConfigurationError) -> TLSServerConfiguration.Version? {
        guard let (line, value) = settings[key.rawValue] else { return nil }
        if let version = TLSServerConfiguration.Version(rawValue: value) { return version }
        if value == "TLS10" || value == "TLS11" {
            throw error(
                line, key, "\(value) is not supported (RFC 8996 deprecates TLS 1.0 and 1.1); use TLS12 or TLS13")
        }
        throw error(line, key, "\"\(value)\" is not one of TLS12, TLS13")
    }

    private func error(_ line: Int, _ key: TLSKey, _ what: String) -> TLSConfigurationError {
        TLSConfigurationError("\(path):\(line): tls_server_config.\(key.rawValue): \(what)")
    }
}
