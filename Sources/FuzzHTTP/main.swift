// libFuzzer entry point for the HTTP transport's pure parts. Build and run with Tests/Fuzz/run.sh (make
// fuzz-smoke), which passes the sanitizer and coverage flags SwiftPM drops; seeds in
// Tests/HTTPServerTests/Fixtures/fuzz-seeds.
//
// One input drives three subjects and checks an invariant for each:
// - the request parser, whole or split in two at a point chosen by the first byte: same requests or the
//   same error status;
// - the connection state machine, fed the input in chunks whose sizes the input's last bytes choose (as
//   reads of any size would arrive), answering each dispatched request at once: it dispatches a prefix of
//   what the parser yields from the whole input, in order, or the same error;
// - the router, given the input as a request target: routing and percent-decoding of the path parameter
//   never trap, and a decoded parameter never contains the path separator it was split on.
@_spi(Fuzzing) import HTTPServer

// libFuzzer supplies `main`, so top-level code here never runs: keep state in lazily initialised statics.
private enum FuzzLimits {
    static let small = HTTPServer.Limits(
        maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 8,
        maxBodyBytes: 128, maxRequestsPerConnection: 1_000_000)
    static let router: HTTPRouter = {
        let router = HTTPRouter()
        router.get("/metrics") { _, _ in .text("m") }
        router.get("/devices/{mac}.json") { _, parameters in .text(parameters["mac"] ?? "") }
        router.add("/upload", methods: ["POST"]) { request, _ in .text("\(request.body.count)") }
        return router
    }()
}

private func describe(_ request: HTTPRequest) -> String {
    let headers = request.headers.map { "\($0.name):\($0.value)" }.joined(separator: "\n")
    let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    return "\(request.method) \(request.target) \(request.path) \(query) \(request.version) "
        + "\(headers) \(request.body.count) keepAlive=\(request.wantsKeepAlive)"
}

private func parse(_ bytes: UnsafeBufferPointer<UInt8>, splitAt split: Int) -> [String] {
    var parser = HTTPRequestParser(limits: FuzzLimits.small)
    var results: [String] = []
    for part in [bytes[..<split], bytes[split...]] {
        parser.append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: part)))
        // Each request consumes at least one byte, so this is bounded by the input size.
        for _ in 0...bytes.count {
            do {
                guard let request = try parser.nextRequest() else { break }
                results.append(describe(request))
            } catch {
                results.append("error \(error.status.code)")
                return results
            }
        }
    }
    return results
}

/// Drives the connection state machine as the event loop would, in chunks of 1–16 bytes chosen by the
/// input's last byte; returns the dispatched requests (and a final error) in order, and whether a response
/// announced `Connection: close` (after which the parser alone would have gone on).
private func drive(_ bytes: UnsafeBufferPointer<UInt8>) -> (results: [String], closedEarly: Bool) {
    var now = ServerInstant(nanoseconds: 1_000_000_000)
    var machine = ConnectionStateMachine(limits: FuzzLimits.small, now: now)
    var results: [String] = []
    var closed = false
    var closedEarly = false
    let seed = bytes.last.map(Int.init) ?? 0
    var offset = 0
    var round = 0

    func handle(_ first: ConnectionStateMachine.Action) {
        var action = first
        // Each dispatch consumes a request, so the chain is bounded by the input size.
        for _ in 0...bytes.count {
            switch action {
            case .none, .sendContinue:
                return
            case .dispatch(let request, let closeAfter):
                results.append(describe(request))
                action = machine.responseWritten(now: now)
                if closeAfter, case .close = action {
                    closed = true
                    closedEarly = true
                    return
                }
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

    while offset < bytes.count && !closed {
        // A machine that answers at once never has a response pending, so it always takes input.
        precondition(machine.wantsMoreInput, "the machine refused input while idle")
        let size = 1 + (seed &+ round &* 7) % 16
        let end = min(bytes.count, offset + size)
        now = now.advanced(by: .milliseconds(1))
        handle(
            machine.bytesReceived(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[offset..<end])), now: now))
        offset = end
        round += 1
    }
    if !closed { handle(machine.inputEnded(now: now)) }
    // Whatever state is left, the timer must settle it without trapping.
    _ = machine.timerFired(now: now.advanced(by: .seconds(3600)))
    return (results, closedEarly)
}

private func route(_ bytes: UnsafeBufferPointer<UInt8>) {
    let target = String(decoding: bytes.prefix(512), as: UTF8.self)
    for method in ["GET", "HEAD", "POST"] {
        let request = HTTPRequest(method: method, target: target)
        let response = FuzzLimits.router.respond(to: request)
        if response.status == .ok && request.path.hasPrefix("/devices/") && method != "POST" {
            // The parameter is one path segment, decoded after the split: its raw form has no "/".
            precondition(!request.path.dropFirst("/devices/".count).contains("/"))
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let whole = parse(bytes, splitAt: size)
    let split = size == 0 ? 0 : Int(bytes[0]) % (size + 1)
    let pieces = parse(bytes, splitAt: split)
    if whole != pieces {
        fatalError("chunking changed the result: \(whole) vs \(pieces)")
    }
    let (driven, closedEarly) = drive(bytes)
    guard driven.count <= whole.count, Array(whole.prefix(driven.count)) == driven else {
        fatalError("the state machine diverged from the parser: \(driven) vs \(whole)")
    }
    // Only `Connection: close` (or HTTP/1.0) stops it short of what the parser yields from the same bytes.
    if !closedEarly && driven.count != whole.count {
        fatalError("the state machine lost requests: \(driven) vs \(whole)")
    }
    route(bytes)
    return 0
}
