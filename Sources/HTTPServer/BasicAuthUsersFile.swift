/// Reads the subset of a Prometheus web-config file we support: a top-level `basic_auth_users:` map of
/// `name: bcrypt-hash` lines, quotes optional, `#` comments and blank lines ignored. A `tls_server_config:`
/// block is skipped here (`WebConfigFile` reads it); anything else is rejected.
enum BasicAuthUsersFile {
    static func parse(_ text: String, path: String) throws(AuthenticationError) -> [String: String] {
        var users: [String: String] = [:]
        var inMap = false
        var inTLSBlock = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = stripComment(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
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

    /// Drops a `#` comment that starts a line or follows whitespace (YAML), outside quotes.
    private static func stripComment(_ line: Substring) -> Substring {
        var quote: Character? = nil
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" && (previous == " " || previous == "\t") {
                return line[..<index]
            }
            previous = character
        }
        return line
    }

    private static func unquote(_ raw: Substring, path: String, line: Int) throws(AuthenticationError) -> String {
        let text = raw.trimmingSpace()
        guard let first = text.first, first == "\"" || first == "'" else {
            if text.contains("\"") || text.contains("'") {
                throw .invalidUsersFile(path: path, line: line, reason: "unbalanced quotes")
            }
            return String(text)
        }
        guard text.count >= 2, text.last == first else {
            throw .invalidUsersFile(path: path, line: line, reason: "unbalanced quotes")
        }
        let inner = text.dropFirst().dropLast()
        if inner.contains(first) || inner.contains("\\") {
            throw .invalidUsersFile(path: path, line: line, reason: "escapes inside quotes are not supported")
        }
        return String(inner)
    }
}

private extension Substring {
    func trimmingSpace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        return result.trimmingTrailingSpace()
    }

    func trimmingTrailingSpace() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
