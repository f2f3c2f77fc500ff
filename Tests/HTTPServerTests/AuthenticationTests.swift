import CCrypt
import Glibc
import Platform
import Testing

@_spi(Fuzzing) @testable import HTTPServer

/// A bcrypt hash made by the system's libxcrypt (cost 5 keeps tests fast), never by our code.
func systemBcryptHash(_ password: String, prefix: String = "$2b$") throws -> String {
    var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
    guard crypt_gensalt_rn(prefix, 5, nil, 0, &setting, Int32(setting.count)) != nil else {
        throw ClientError(description: "crypt_gensalt_rn failed: errno \(errno)")
    }
    let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
    defer { data.deallocate() }
    memset(data, 0, MemoryLayout<crypt_data>.size)
    guard let output = crypt_r(password, setting, data) else { throw ClientError(description: "crypt_r failed") }
    let hash = String(cString: output)
    guard hash.hasPrefix(prefix) else { throw ClientError(description: "unexpected hash \(hash)") }
    return hash
}

func writeTemporaryFile(_ contents: String) throws -> String {
    var template = Array("/tmp/lanscope-http-test-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else { throw ClientError(description: "mkstemp failed") }
    defer { close(fd) }
    _ = Array(contents.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func basic(_ user: String, _ password: String) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let bytes = Array("\(user):\(password)".utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
        for position in 0..<4 {
            out.append(
                position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
        }
        index += 3
    }
    return "Basic " + String(decoding: out, as: UTF8.self)
}

@Suite struct AuthenticationTests {
    @Test func usersFile_parsesPrometheusShape_withQuotesAndComments() throws {
        let alice = try systemBcryptHash("wonderland")
        let bob = try systemBcryptHash("builder", prefix: "$2y$")
        let path = try writeTemporaryFile(
            """
            # users allowed to scrape
            basic_auth_users:
              alice: \(alice)
              "bob": '\(bob)'   # the builder

            """)
        defer { unlink(path) }
        let authentication = try Authentication.load(realm: "lanscope", basicAuthUsersFile: path)
        #expect(authentication.basicAuthUsers == ["alice": alice, "bob": bob])
        #expect(authentication.challenges == ["Basic realm=\"lanscope\""])
    }

    /// A users file saved with CRLF line ends reads as with LF.
    @Test func usersFile_crlfLineEnds_likeLF() throws {
        let alice = try systemBcryptHash("wonderland")
        let path = try writeTemporaryFile(
            ["# made on Windows", "basic_auth_users:", "  alice: \(alice)", ""].joined(separator: "\r\n"))
        defer { unlink(path) }
        let authentication = try Authentication.load(realm: "lanscope", basicAuthUsersFile: path)
        #expect(authentication.basicAuthUsers == ["alice": alice])
    }

    @Test(arguments: [
        "tls_server_config:\n  cert_file: x\n",
        "basic_auth_users:\n  alice: plaintext\n",
        "basic_auth_users:\n  alice: $1$abc$def\n",
        "  alice: $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
        "basic_auth_users:\n",
        "basic_auth_users:\n  alice $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
        "basic_auth_users:\n  alice: \"$2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
        "basic_auth_users:\n  a: $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n"
            + "  a: $2b$05$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO\n",
    ])
    func usersFile_rejectsAnythingElse_withAClearError(contents: String) throws {
        let path = try writeTemporaryFile(contents)
        defer { unlink(path) }
        #expect(throws: AuthenticationError.self) { _ = try Authentication.load(realm: "r", basicAuthUsersFile: path) }
    }

    /// The service reads a web-config file once: its users come from the text whose structure was checked,
    /// not from a second read that could find the file replaced in between.
    @Test func webConfigUsers_comeFromTheTextAlreadyRead_evenIfTheFileChangesAfter() throws {
        let alice = try systemBcryptHash("wonderland")
        let path = try writeTemporaryFile("basic_auth_users:\n  alice: \(alice)\n")
        defer { unlink(path) }
        let webConfig = try WebConfigFile.load(path: path)
        let replaced = try writeTemporaryFile("basic_auth_users:\n  mallory: \(alice)\n")
        defer { unlink(replaced) }
        #expect(rename(replaced, path) == 0)
        let authentication = try Authentication.load(realm: "lanscope", webConfig: webConfig)
        #expect(authentication.basicAuthUsers == ["alice": alice])
        // A file that names no users is refused the same way as through the path.
        let empty = try writeTemporaryFile("tls_server_config:\n  cert_file: a.pem\n  key_file: b.pem\n")
        defer { unlink(empty) }
        #expect(throws: AuthenticationError.self) {
            _ = try Authentication.load(realm: "r", webConfig: try WebConfigFile.load(path: empty))
        }
    }

    @Test func missingFile_isAnError_namingThePath() {
        #expect(throws: AuthenticationError.unreadableFile(path: "/nonexistent/users.yml", errno: ENOENT)) {
            _ = try Authentication.load(realm: "r", basicAuthUsersFile: "/nonexistent/users.yml")
        }
    }

    @Test func basic_acceptsRightPassword_only_andCachesSuccess() throws {
        let hash = try systemBcryptHash("s3cret")
        let authentication = try Authentication(realm: "r", basicAuthUsers: ["prom": hash])
        let good: HTTPHeaders = ["Authorization": basic("prom", "s3cret")]
        #expect(authentication.isAuthorized(good))
        #expect(!authentication.isAuthorized(["Authorization": basic("prom", "wrong")]))
        #expect(!authentication.isAuthorized(["Authorization": basic("eve", "s3cret")]))
        #expect(!authentication.isAuthorized(["Authorization": "Basic !!!"]))
        #expect(!authentication.isAuthorized(["Authorization": "Bearer s3cret"]))
        #expect(!authentication.isAuthorized(HTTPHeaders()))
        // The second check is served from the cache; it must still succeed (and is far cheaper than bcrypt).
        let start = ServerInstant.now()
        for _ in 0..<100 { #expect(authentication.isAuthorized(good)) }
        let elapsed = ServerInstant.now().nanoseconds - start.nanoseconds
        print("100 cached basic-auth checks took \(elapsed / 1000) µs")
    }

    @Test func bearer_tokenFile_isTrimmed_andComparedExactly() throws {
        let path = try writeTemporaryFile("tok-123\n")
        defer { unlink(path) }
        let authentication = try Authentication.load(realm: "lanscope", bearerTokenFile: path)
        #expect(authentication.isAuthorized(["Authorization": "Bearer tok-123"]))
        #expect(authentication.isAuthorized(["Authorization": "bearer tok-123"]))
        #expect(!authentication.isAuthorized(["Authorization": "Bearer tok-12"]))
        #expect(!authentication.isAuthorized(["Authorization": "Bearer tok-1234"]))
        #expect(authentication.challenges == ["Bearer realm=\"lanscope\""])
        let empty = try writeTemporaryFile("\n")
        defer { unlink(empty) }
        #expect(throws: AuthenticationError.emptyBearerToken) {
            _ = try Authentication.load(realm: "r", bearerTokenFile: empty)
        }
        // Saved with a CRLF line end: the same token.
        let crlf = try writeTemporaryFile("tok-123\r\n")
        defer { unlink(crlf) }
        let fromCRLF = try Authentication.load(realm: "lanscope", bearerTokenFile: crlf)
        #expect(fromCRLF.isAuthorized(["Authorization": "Bearer tok-123"]))
        let onlyCRLF = try writeTemporaryFile("\r\n")
        defer { unlink(onlyCRLF) }
        #expect(throws: AuthenticationError.emptyBearerToken) {
            _ = try Authentication.load(realm: "r", bearerTokenFile: onlyCRLF)
        }
    }

    @Test func base64_decodesStandardAlphabet_andRejectsGarbage() {
        #expect(Base64.decode(Array("dTpwdw==".utf8)) == Array("u:pw".utf8))
        #expect(Base64.decode(Array("dTpwdw".utf8)) == Array("u:pw".utf8))
        #expect(Base64.decode(Array("YWJj".utf8)) == Array("abc".utf8))
        #expect(Base64.decode([]) == [])
        #expect(Base64.decode(Array("dT=pwdw".utf8)) == nil)
        #expect(Base64.decode(Array("dTpwd".utf8)) == nil)
        #expect(Base64.decode(Array("dTp-dw==".utf8)) == nil)
        #expect(Base64.decode(Array("YQ===".utf8)) == nil)
    }

    @Test func constantTimeEquals_comparesContentAndLength() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 0]))
        #expect(!ConstantTime.equals([], [0]))
        #expect(ConstantTime.equals([], []))
    }

    @Test func live_basicAndBearer_give401WithChallenge_or200() throws {
        let hash = try systemBcryptHash("pw")
        let authentication = try Authentication(realm: "lanscope", basicAuthUsers: ["u": hash], bearerToken: "tkn")
        let test = try TestServer.start(authentication: authentication)
        defer { test.stop() }
        let client = try test.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let denied = try client.readResponse()
        #expect(denied.status == 401)
        #expect(
            denied.headers.filter { $0.name == "WWW-Authenticate" }.map(\.value)
                == ["Basic realm=\"lanscope\"", "Bearer realm=\"lanscope\""])
        try client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 401)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: \(basic("u", "bad"))\r\n\r\n")
        #expect(try client.readResponse().status == 401)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: \(basic("u", "pw"))\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tkn\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n")
        #expect(try client.readResponse().status == 401)
        try client.send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }
}
