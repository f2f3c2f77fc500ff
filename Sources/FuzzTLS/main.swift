import CTLS
// libFuzzer entry point for HTTPServer's TLS adapter (`TLSContext`, `TLSSession`) over a socket pair,
// exactly as the event loop drives it (non-blocking descriptors, WANT_READ/WANT_WRITE). Build and run with
// Tests/Fuzz/run.sh (make fuzz-smoke), which makes the certificate (LANSCOPE_FUZZ_TLS_DIR) and the seeds.
//
// The first byte picks the mode:
// - even: an OpenSSL client (TLS 1.3, or 1.2 when bit 1 is set) completes a handshake with the server
//   session, then sends the rest as application data in records whose sizes the input chooses. The server
//   must decrypt exactly those bytes, and the connection state machine fed them record by record must
//   dispatch what it dispatches from the same bytes in one piece (HTTP parsing behind TLS records). The
//   server then writes them back, and the client must read them unchanged.
// - odd: the rest goes to the server as raw bytes (records, ClientHellos, garbage), the peer's sending
//   side closed when bit 1 is set. The server must never trap, loop or complete a handshake.
@_spi(Fuzzing) import HTTPServer

#if canImport(Glibc)
    import Glibc
#endif

// libFuzzer supplies `main`, so top-level code here never runs: keep state in lazily initialised statics.
private enum Fixture {
    static let server: TLSContext = {
        guard let directory = getenv("LANSCOPE_FUZZ_TLS_DIR").map({ String(cString: $0) }) else {
            fatalError("set LANSCOPE_FUZZ_TLS_DIR to a directory with cert.pem and key.pem (Tests/Fuzz/run.sh does)")
        }
        do {
            return try TLSContext(
                TLSServerConfiguration(certFile: directory + "/cert.pem", keyFile: directory + "/key.pem"))
        } catch {
            fatalError("\(error)")
        }
    }()
    // Written once, read by the fuzzing thread only.
    nonisolated(unsafe) static let clients: [OpaquePointer] = [TLS1_3_VERSION, TLS1_2_VERSION].map { version in
        let context = SSL_CTX_new(TLS_client_method())!
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        _ = ls_tls_set_max_version(context, version)
        return context
    }
    static let limits = HTTPServer.Limits(
        maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 8,
        maxBodyBytes: 128, maxRequestsPerConnection: 1_000_000)
}

/// A connected, non-blocking socket pair: [server, client].
private func socketPair() -> [Int32] {
    var fds: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0 else {
        fatalError("socketpair: errno \(errno)")
    }
    return fds
}

/// The requests a state machine dispatches (answered at once) from `chunks`, then end of input.
private func dispatched(_ chunks: [[UInt8]]) -> [String] {
    let now = ServerInstant(nanoseconds: 1_000_000_000)
    var machine = ConnectionStateMachine(limits: Fixture.limits, now: now)
    var results: [String] = []
    var closed = false
    func handle(_ first: ConnectionStateMachine.Action) {
        var action = first
        // Each dispatch consumes a request, so the chain is bounded by the input size.
        for _ in 0...4096 {
            switch action {
            case .none, .sendContinue: return
            case .dispatch(let request, _):
                results.append("\(request.method) \(request.target) \(request.headers.count) \(request.body.count)")
                action = machine.responseWritten(now: now)
            case .respondAndClose(let response, _):
                results.append("error \(response.status.code)")
                closed = true
                return
            case .close:
                closed = true
                return
            }
        }
    }
    for chunk in chunks where !closed {
        chunk.withUnsafeBytes { handle(machine.bytesReceived($0, now: now)) }
    }
    if !closed { handle(machine.inputEnded(now: now)) }
    return results
}

private func applicationData(_ payload: ArraySlice<UInt8>, tls12: Bool, seed: Int) {
    let fds = socketPair()
    defer { for fd in fds { close(fd) } }
    guard let server = TLSSession(context: Fixture.server, fd: fds[0]),
        let client = SSL_new(Fixture.clients[tls12 ? 1 : 0])
    else { fatalError("cannot allocate TLS sessions") }
    defer { SSL_free(client) }
    SSL_set_fd(client, fds[1])
    SSL_set_connect_state(client)
    var clientDone = false
    // Each side moves at least one flight per round; a handshake needs a handful.
    for _ in 0..<32 where !(clientDone && server.established) {
        if !clientDone { clientDone = SSL_do_handshake(client) == 1 }
        if !server.established, case .failed(let reason) = server.handshake() {
            fatalError("our own client's handshake failed: \(reason)")
        }
    }
    guard clientDone && server.established else { fatalError("handshake did not complete in 32 rounds") }

    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    var received: [[UInt8]] = []
    var offset = payload.startIndex
    var round = 0
    while offset < payload.endIndex {
        let size = 1 + (seed &+ round &* 37) % 700
        let end = min(payload.endIndex, offset + size)
        let written = payload[offset..<end].withUnsafeBytes { SSL_write(client, $0.baseAddress, Int32($0.count)) }
        guard written == end - offset else { fatalError("client write of \(end - offset) bytes returned \(written)") }
        offset = end
        round += 1
        // Decrypt until the server has nothing more (one record per read).
        for _ in 0..<64 {
            let outcome = buffer.withUnsafeMutableBytes { server.read(into: $0) }
            guard case .bytes(let count) = outcome else {
                guard outcome == .wantRead else { fatalError("server read: \(outcome)") }
                break
            }
            received.append(Array(buffer[..<count]))
        }
    }
    let plain = received.flatMap { $0 }
    guard plain.elementsEqual(payload) else {
        fatalError("decrypted \(plain.count) bytes differ from \(payload.count) sent")
    }
    let viaRecords = dispatched(received)
    let whole = dispatched([Array(payload)])
    guard viaRecords == whole else { fatalError("records changed what was dispatched: \(viaRecords) vs \(whole)") }

    // And back: the server encrypts, the client reads the same bytes.
    guard !payload.isEmpty else { return }
    let echoed = payload.withUnsafeBytes { server.write($0) }
    guard case .bytes = echoed else { fatalError("server write: \(echoed)") }
    var back: [UInt8] = []
    var sent = 0
    if case .bytes(let count) = echoed { sent = count }
    for _ in 0..<1024 where back.count < sent {
        let count = buffer.withUnsafeMutableBytes { SSL_read(client, $0.baseAddress, Int32($0.count)) }
        guard count > 0 else { break }
        back += buffer[..<Int(count)]
    }
    guard back.elementsEqual(payload.prefix(sent)) else {
        fatalError("the client read other bytes than the server wrote")
    }
}

private func rawRecords(_ payload: ArraySlice<UInt8>, closeInput: Bool) {
    let fds = socketPair()
    defer { for fd in fds { close(fd) } }
    guard let server = TLSSession(context: Fixture.server, fd: fds[0]) else {
        fatalError("cannot allocate a TLS session")
    }
    let written = payload.withUnsafeBytes { send(fds[1], $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    guard written == payload.count else { fatalError("socket pair took \(written) of \(payload.count) bytes") }
    if closeInput { shutdown(fds[1], Int32(SHUT_WR)) }
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    for _ in 0..<64 {
        if !server.established {
            guard case .bytes = server.handshake() else { break }
            fatalError("raw bytes completed a handshake")
        }
        guard case .bytes = buffer.withUnsafeMutableBytes({ server.read(into: $0) }) else { break }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let mode = bytes[0]
    if mode & 1 == 0 {
        applicationData(bytes[1...], tls12: mode & 2 != 0, seed: Int(bytes.last!))
    } else {
        rawRecords(bytes[1...], closeInput: mode & 2 != 0)
    }
    return 0
}
