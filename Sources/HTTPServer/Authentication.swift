import Platform

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Credentials the server demands: HTTP Basic with bcrypt hashes (the `basic_auth_users:` map of a
/// Prometheus web-config file) and/or a bearer token. Either one, when configured, admits a request.
public struct Authentication: Sendable {
    /// Realm named in the `WWW-Authenticate` challenge.
    public let realm: String
    /// User name to bcrypt hash (`$2y$`, `$2b$` or `$2a$`).
    public let basicAuthUsers: [String: String]
    private let bearerToken: [UInt8]?
    private let cache = VerificationCache(capacity: 256)

    /// Validates every hash; throws when nothing is configured or a hash is not bcrypt.
    public init(realm: String, basicAuthUsers: [String: String] = [:], bearerToken: String? = nil)
        throws(AuthenticationError)
    {
        for (user, hash) in basicAuthUsers where !BcryptHash.isBcrypt(hash) {
            throw .unsupportedHash(user: user)
        }
        if let bearerToken, bearerToken.isEmpty { throw .emptyBearerToken }
        guard !basicAuthUsers.isEmpty || bearerToken != nil else { throw .nothingConfigured }
        self.realm = realm
        self.basicAuthUsers = basicAuthUsers
        self.bearerToken = bearerToken.map { Array($0.utf8) }
    }

    /// Reads the users file (Prometheus web-config subset) and/or a token file (trailing newlines trimmed).
    public static func load(realm: String, basicAuthUsersFile: String? = nil, bearerTokenFile: String? = nil)
        throws(AuthenticationError) -> Authentication
    {
        var users: [String: String] = [:]
        if let basicAuthUsersFile {
            users = try BasicAuthUsersFile.parse(try readFile(basicAuthUsersFile), path: basicAuthUsersFile)
        }
        return try load(realm: realm, users: users, bearerTokenFile: bearerTokenFile)
    }

    /// The users of a web-config file already read (``WebConfigFile/load(path:)``), from the text that was
    /// checked, and/or a token file.
    public static func load(realm: String, webConfig: WebConfigFile?, bearerTokenFile: String? = nil)
        throws(AuthenticationError) -> Authentication
    {
        var users: [String: String] = [:]
        if let webConfig { users = try BasicAuthUsersFile.parse(webConfig.text, path: webConfig.path) }
        return try load(realm: realm, users: users, bearerTokenFile: bearerTokenFile)
    }

    private static func load(realm: String, users: [String: String], bearerTokenFile: String?)
        throws(AuthenticationError) -> Authentication
    {
        var token: String? = nil
        if let bearerTokenFile {
            var text = try readFile(bearerTokenFile)
            // `isNewline`: "\r\n" is one Character, equal to neither "\n" nor "\r" (a token file saved on Windows).
            while let last = text.last, last.isNewline { text.removeLast() }
            guard !text.isEmpty else { throw .emptyBearerToken }
            token = text
        }
        return try Authentication(realm: realm, basicAuthUsers: users, bearerToken: token)
    }

    /// `WWW-Authenticate` values for a 401 (RFC 9110 §11.6.1, RFC 7617, RFC 6750).
    public var challenges: [String] {
        var result: [String] = []
        let quotedRealm = realm.replacingQuotes()
        if !basicAuthUsers.isEmpty { result.append("Basic realm=\"\(quotedRealm)\"") }
        if bearerToken != nil { result.append("Bearer realm=\"\(quotedRealm)\"") }
        return result
    }

    /// Whether the `Authorization` header carries acceptable credentials. May run bcrypt: call off the event loop.
    public func isAuthorized(_ headers: HTTPHeaders) -> Bool {
        guard let authorization = headers["Authorization"] else { return false }
        let bytes = Array(authorization.utf8)
        guard let space = bytes.firstIndex(of: ASCII.space) else { return false }
        let scheme = bytes[..<space]
        let credentials = Array(ASCII.trimmingOWS(bytes[(space + 1)...]))
        if ASCII.equalsIgnoringCase(scheme, "Bearer"), let bearerToken {
            return ConstantTime.equals(credentials, bearerToken)
        }
        if ASCII.equalsIgnoringCase(scheme, "Basic"), !basicAuthUsers.isEmpty {
            return verifyBasic(credentials)
        }
        return false
    }

    private func verifyBasic(_ encoded: [UInt8]) -> Bool {
        guard let decoded = Base64.decode(encoded), let colon = decoded.firstIndex(of: ASCII.colon) else {
            return false
        }
        let user = String(decoding: decoded[..<colon], as: UTF8.self)
        let password = Array(decoded[(colon + 1)...])
        // A known user is checked against its hash; an unknown one against a fixed hash so timing does not
        // reveal which user names exist.
        let known = basicAuthUsers[user]
        guard let hash = known ?? basicAuthUsers.values.min() else { return false }
        let key = VerificationCache.Key(user: user, password: password, hash: hash)
        if known != nil, cache.contains(key) { return true }
        let matches = BcryptHash.verify(password: password, hash: hash)
        guard matches, known != nil else { return false }
        cache.insert(key)
        return true
    }

    static func readFile(_ path: String) throws(AuthenticationError) -> String {
        switch SmallFile.read(path) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(.unreadable(let code)): throw .unreadableFile(path: path, errno: code)
        case .failure(.tooLarge): throw .fileTooLarge(path: path)
        }
    }
}

private extension String {
    func replacingQuotes() -> String {
        String(decoding: utf8.filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }, as: UTF8.self)
    }
}
