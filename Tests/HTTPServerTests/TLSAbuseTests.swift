import Foundation
import HTTPServer
import Testing

@testable import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Clients that abuse the TLS layer (a handshake never finished, garbage instead of a ClientHello, a
/// ClientHello trickled a byte at a time, renegotiation) cost their own connection only, while another
/// client is served; and the HTTP limits (head-read timeout, header budget, per-address cap, send stall)
/// hold over TLS.
@Suite(.serialized, .enabled(if: TLSTools.available, "needs curl and the openssl CLI"))
struct TLSAbuseTests {
    func servesOthers(_ test: TestServer, _ certificates: TestCertificates) throws -> Bool {
        let result = try TLSTools.curl(certificates, ["https://127.0.0.1:\(test.port)/hello"])
        return result.status == 0 && result.output == "hello\n"
    }

    @Test func handshakeNeverFinished_isClosedAfterTheTimeout_whileAnotherClientIsServed() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates) { $0.handshakeTimeout = .seconds(1) }
        defer { test.stop() }
        let silent = try RawClient(port: test.port, timeout: .seconds(8))
        #expect(try servesOthers(test, certificates))
        // No byte sent: the server closes it (not the 10 s head-read timeout: the 1 s handshake one).
        #expect(silent.readsEOF())
        let statistics = test.statistics { $0.tlsHandshakesTimedOut >= 1 }
        #expect(statistics.tlsHandshakesTimedOut == 1)
    }

    @Test func garbageInsteadOfClientHello_closesThatConnection_only() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates)
        defer { test.stop() }
        for garbage in [
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n", String(repeating: "\u{16}\u{3}\u{1}\u{ff}\u{ff}", count: 20),
        ] {
            let client = try RawClient(port: test.port, timeout: .seconds(5))
            try client.send(garbage)
            #expect(client.isClosedByServer(), "a failed handshake may send an alert, then must close")
            #expect(try servesOthers(test, certificates))
        }
        let statistics = test.statistics { $0.tlsHandshakesFailed >= 2 }
        #expect(statistics.tlsHandshakesFailed == 2)
        #expect(statistics.openConnections <= 1)
    }

    @Test func clientHelloOneByteAtATime_isCutAtTheHandshakeTimeout() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let hello = try ClientHelloCapture.capture(certificates: certificates)
        let test = try TLSTools.start(certificates) { $0.handshakeTimeout = .seconds(1) }
        defer { test.stop() }
        let client = try RawClient(port: test.port, timeout: .seconds(5))
        var sent = 0
        // One byte every 100 ms would need tens of seconds for the whole hello; the server must not wait.
        for byte in hello {
            guard (try? client.send([byte])) != nil else { break }
            sent += 1
            if test.server.statistics().tlsHandshakesTimedOut > 0 { break }
            usleep(100_000)
        }
        #expect(sent < hello.count, "the whole ClientHello (\(hello.count) bytes) went out before the server cut it")
        #expect(test.statistics { $0.tlsHandshakesTimedOut >= 1 }.tlsHandshakesTimedOut == 1)
        #expect(client.readsEOF())
        #expect(try servesOthers(test, certificates))
    }

    @Test func renegotiationAttempt_isRefused_andTheServerKeepsServing() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates)
        defer { test.stop() }
        let client = try SClient(port: test.port, certificates: certificates, arguments: ["-tls1_2"])
        defer { client.stop() }
        #expect(client.read(until: "Verify return code: 0"), "\(client.text)")
        // s_client's "R" command: a renegotiation ClientHello inside the session (RFC 5746).
        client.send("R\n")
        // The server answers with a no_renegotiation alert (SSL_OP_NO_RENEGOTIATION), which OpenSSL's
        // client reports as this error.
        #expect(client.read(until: "no renegotiation"), "\(client.text)")
        #expect(try servesOthers(test, certificates))
    }

    @Test func headReadTimeout_andHeaderBudget_holdOverTLS() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(
            certificates, limits: HTTPServer.Limits(maxHeaderBytes: 1024, headReadTimeout: .seconds(1)))
        defer { test.stop() }
        let slow = try SClient(port: test.port, certificates: certificates, arguments: ["-quiet"])
        defer { slow.stop() }
        slow.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        #expect(slow.read(until: "408 Request Timeout", seconds: 8), "\(slow.text)")
        let large = try SClient(port: test.port, certificates: certificates, arguments: ["-quiet"])
        defer { large.stop() }
        large.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Fill: \(String(repeating: "a", count: 4000))\r\n\r\n")
        #expect(large.read(until: "431 "), "\(large.text)")
        #expect(try servesOthers(test, certificates))
    }

    @Test func perAddressCap_holdsOverTLS() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates, limits: HTTPServer.Limits(maxConnectionsPerAddress: 4))
        defer { test.stop() }
        var held: [RawClient] = []
        for _ in 0..<6 { held.append(try RawClient(port: test.port, timeout: .seconds(5), source: "127.0.5.1")) }
        let statistics = test.statistics { $0.connectionsRejectedPerAddress >= 2 }
        #expect(statistics.connectionsRejectedPerAddress == 2)
        #expect(statistics.openConnections == 4)
        #expect(try servesOthers(test, certificates))
        for client in held { client.close() }
    }

    /// The test routes plus `/big`: 32 MiB of `a`, far more than socket buffers hold, so the server is
    /// still writing when the client stops reading or goes away.
    static func routerWithBigBody() -> HTTPRouter {
        let router = TestServer.defaultRouter()
        let body = [UInt8](repeating: 0x61, count: 32 << 20)
        router.get("/big") { _, _ in HTTPResponse(status: .ok, body: body) }
        return router
    }

    /// A client that hangs up in the middle of a large response costs that connection, not the process:
    /// OpenSSL writes with plain write(2), so the server ignores SIGPIPE once it starts (the write fails
    /// with EPIPE instead of the signal killing whatever hosts the server — here, the test process).
    @Test func clientHangingUpMidResponse_costsThatConnection_notTheProcess() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(certificates, router: Self.routerWithBigBody())
        defer { test.stop() }
        var disposition = sigaction()
        #expect(sigaction(SIGPIPE, nil, &disposition) == 0)
        #expect(unsafeBitCast(disposition.__sigaction_handler.sa_handler, to: Int.self) == 1, "SIG_IGN")
        let client = try SClient(port: test.port, certificates: certificates, arguments: ["-quiet"])
        defer { client.stop() }
        client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.read(until: "aaaaaaaa", seconds: 10), "the response started")
        kill(client.process.processIdentifier, SIGKILL)
        client.process.waitUntilExit()
        #expect(try servesOthers(test, certificates))
    }

    @Test func sendStall_closesATLSClientThatStopsReading_whileAnotherIsServed() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let test = try TLSTools.start(
            certificates, limits: HTTPServer.Limits(sendStallTimeout: .seconds(1)), router: Self.routerWithBigBody())
        defer { test.stop() }
        // s_client writes what it decrypts to a pipe nobody reads: once the pipe is full it stops reading
        // the socket, and the server's encrypted writes stall.
        let reader = try SClient(port: test.port, certificates: certificates, arguments: ["-quiet"])
        defer { reader.stop() }
        reader.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        let statistics = test.statistics(within: 20) { $0.connectionsClosedSendStall >= 1 }
        #expect(statistics.connectionsClosedSendStall == 1)
        #expect(try servesOthers(test, certificates))
    }
}
