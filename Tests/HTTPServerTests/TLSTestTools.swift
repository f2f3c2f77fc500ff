import Foundation
import HTTPServer
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What the TLS suites share: a server on 127.0.0.1 speaking HTTPS with the test certificates, curl and
/// an interactive `openssl s_client` as independent clients.
enum TLSTools {
    static let curlPath = "/usr/bin/curl"
    static var available: Bool {
        TestCertificates.opensslPath != nil && FileManager.default.isExecutableFile(atPath: curlPath)
    }

    static func start(
        _ certificates: TestCertificates, limits: HTTPServer.Limits = HTTPServer.Limits(),
        router: HTTPRouter = TestServer.defaultRouter(), tls: (inout TLSServerConfiguration) -> Void = { _ in }
    ) throws -> TestServer {
        var configuration = TLSServerConfiguration(
            certFile: certificates.serverCertificate, keyFile: certificates.serverKey,
            reloadCheckInterval: .milliseconds(200))
        tls(&configuration)
        return try TestServer.start(limits: limits, router: router) { $0.tls = configuration }
    }

    /// curl with the test CA trusted; returns its exit status and output (body, or the error).
    static func curl(_ certificates: TestCertificates, _ arguments: [String]) throws -> (status: Int32, output: String)
    {
        try CurlTests.curl(["--cacert", certificates.caCertificate] + arguments)
    }
}

/// `openssl s_client` kept running: what is written goes out as application data, the decrypted answer
/// (with s_client's own session report) is collected from its output.
final class SClient {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private(set) var text = ""

    init(port: Int, certificates: TestCertificates, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: TestCertificates.opensslPath!)
        process.arguments =
            ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", certificates.caCertificate] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        _ = fcntl(output.fileHandleForReading.fileDescriptor, F_SETFL, O_NONBLOCK)
    }

    /// Writes to s_client's input; if s_client has already quit (the server refused it), the write fails
    /// quietly — what the test checks is the server's side.
    func send(_ text: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Reads output until it contains `needle`, the process ends, or `seconds` pass (bounded).
    @discardableResult
    func read(until needle: String, seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        let fd = output.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            if text.contains(needle) { return true }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count > 0 {
                text += String(decoding: buffer[..<count], as: UTF8.self)
            } else if count == 0 {
                break
            }
        }
        return text.contains(needle)
    }

    /// Waits (bounded) for the process to end on its own; true if it did.
    func waitForExit(seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return !process.isRunning
    }

    /// Ends input (s_client quits at end of input), then kills it if it lingers.
    func stop() {
        try? input.fileHandleForWriting.close()
        if !waitForExit(seconds: 2) { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A real ClientHello record: `openssl s_client` connects to a listener of ours, which keeps what it sends
/// first (one TLS record, RFC 8446 §5.1) and hangs up.
enum ClientHelloCapture {
    static func capture(certificates: TestCertificates) throws -> [UInt8] {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length)
                listen(listener, 1)
                return getsockname(listener, pointer, &length)
            }
        }
        let client = try SClient(port: Int(UInt16(bigEndian: address.sin_port)), certificates: certificates)
        defer { client.stop() }
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 5000) > 0 else { throw ClientError(description: "s_client did not connect") }
        let connection = accept(listener, nil, nil)
        defer { close(connection) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var record: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while record.count < 5 || record.count < 5 + (Int(record[3]) << 8 | Int(record[4])) {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { throw ClientError(description: "ClientHello cut short at \(record.count) bytes") }
            record += chunk[..<count]
        }
        guard record[0] == 22, record[5] == 1 else { throw ClientError(description: "not a ClientHello") }
        return record
    }
}

extension RawClient {
    /// Reads (discarding, e.g. a TLS alert) until the server closes or resets; false on the receive timeout.
    func isClosedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<1000 {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
        return false
    }
}
