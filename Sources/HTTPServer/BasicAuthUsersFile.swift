/// Reads the subset of a Prometheus web-config file we support: a top-level `basic_auth_users:` map of
/// `name: bcrypt-hash` lines, quotes optional, `#` comments and blank lines ignored. A `tls_server_config:`
/// block is skipped here (`WebConfigFile` reads it); anything else is rejected.
enum BasicAuthUsersFile {
    static func parse(_ text: String, path: String) throws(AuthenticationError) -> [String: String] {
        var users: [String: String] = [:]
        var inMap = false
        var inTLSBlock = false
        var lineNumber = 0
        // "\r\n" is one Character: split on it too, or a file saved with CRLF line ends is one line.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = YAMLLine.stripComment(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let indented = line.first == " " || line.first == "\t"
            if !indented {
                inTLSBlock = line.trimmingTrailingSpace() == "tls_server_config:"
                if inTLSBlock {
                    inMap = false
                    continue
                }
                guard line.trimmingTrailingSpace() == "basic_auth_users:" else {
                    throw .invalidUsersFile(
                        path: path, line: lineNumber,
                        reason: "only a top-level basic_auth_users: map is supported")
                }
                guard !inMap && users.isEmpty else {
                    throw .invalidUsersFile(path: path, line: lineNumber, reason: "basic_auth_users given twice")
                }
                inMap = true
                continue
            }
            if inTLSBlock { continue }
            guard inMap else {
                throw .invalidUsersFile(path: path, line: lineNumber, reason: "indented line outside basic_auth_users")
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidUsersFile(path: path, line: lineNumber, reason: "expected \"name: hash\"")
            }
            let name = try unquote(line[..<colon], path: path, line: lineNumber)
            let hash = try unquote(line[line.index(after: colon)...], path: path, line: lineNumber)
            guard !name.isEmpty, !hash.isEmpty else {
                throw .invalidUsersFile(path: path, line: lineNumber, reason: "empty user name or hash")
            }
            guard users[name] == nil else {
                throw .invalidUsersFile(path: path, line: lineNumber, reason: "user \"\(name)\" listed twice")
            }
            guard BcryptHash.isBcrypt(hash) else {
                throw .invalidUsersFile(
                    path: path, line: lineNumber,
                    reason: "hash of \"\(name)\" is not bcrypt ($2y$, $2b$ or $2a$)")
            }
            users[name] = hash
        }
        guard !users.isEmpty else {
            throw .invalidUsersFile(path: path, line: lineNumber, reason: "no users under basic_auth_users")
        }
        return users
    }

    private static func unquote(_ raw: Substring, path: String, line: Int) throws(AuthenticationError) -> String {
        do throws(YAMLLine.Failure) {
            return try YAMLLine.unquote(raw)
        } catch {
            throw .invalidUsersFile(path: path, line: line, reason: error.description)
        }
    }
}

private extension Substring {
    func trimmingTrailingSpace() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
