/// The life of one connection as a pure state machine: bytes, finished writes, end of input, timer expiry
/// and shutdown go in; what the transport must do comes out. Time is passed in, never read.
/// Visible to the fuzz target through `@_spi(Fuzzing)`; not public API.
@_spi(Fuzzing) public struct ConnectionStateMachine: Sendable {
    public enum Action: Sendable {
        case none
        /// Hand the request to a handler. When `closeAfter`, the response says `Connection: close`
        /// and the connection ends once it is written.
        case dispatch(HTTPRequest, closeAfter: Bool)
        /// Send this error response, then close (the stream cannot be trusted any more).
        case respondAndClose(HTTPResponse, HTTPParseError)
        /// Send `100 Continue`: the client announced a body and waits for our go-ahead.
        case sendContinue
        case close
    }

    public enum State: Sendable, Equatable {
        /// Between requests; `deadline` is the idle (or, for a new connection, the first-request) timeout.
        case idle
        /// Part of a request has arrived; `deadline` is the head-read timeout, fixed at the first byte.
        case reading
        /// A handler is working or its response is being written.
        case responding(closeAfter: Bool)
        case closed
    }

    private let limits: HTTPServer.Limits
    private(set) var parser: HTTPRequestParser
    public private(set) var state = State.idle
    /// When the transport must call ``timerFired(now:)``; `nil` when no timer runs.
    public private(set) var deadline: ServerInstant?
    private(set) var requestsStarted = 0
    private var inputClosed = false
    private var shuttingDown = false
    private var continueSent = false

    /// A new connection must send its first request within the head-read timeout.
    public init(limits: HTTPServer.Limits, now: ServerInstant) {
        self.limits = limits
        parser = HTTPRequestParser(limits: limits)
        deadline = now.advanced(by: limits.headReadTimeout)
    }

    /// Most bytes worth buffering: one maximal request. Beyond that, while a response is pending, stop reading.
    public var wantsMoreInput: Bool {
        if case .closed = state { return false }
        return parser.bufferedByteCount < limits.maxRequestLineBytes + limits.maxHeaderBytes + limits.maxBodyBytes + 2
    }

    public mutating func bytesReceived(_ bytes: UnsafeRawBufferPointer, now: ServerInstant) -> Action {
        guard state != .closed else { return .none }
        parser.append(bytes)
        return advance(now: now)
    }

    /// The response to the last dispatched request has been written completely.
    public mutating func responseWritten(now: ServerInstant) -> Action {
        guard case .responding(let closeAfter) = state else { return .none }
        if closeAfter || shuttingDown {
            state = .closed
            return .close
        }
        state = .idle
        deadline = now.advanced(by: limits.keepAliveIdleTimeout)
        return advance(now: now)
    }

    /// The socket took no more of the response. A peer that reads nothing for `sendStallTimeout` is
    /// closed: the clock restarts only when bytes went out (`progressed`), so a reader that never reads
    /// cannot keep a response, and its memory, by our retrying.
    public mutating func writeBlocked(now: ServerInstant, progressed: Bool) {
        guard case .responding = state else { return }
        if progressed || deadline == nil { deadline = now.advanced(by: limits.sendStallTimeout) }
    }

    /// A response is being written and its send-stall timer runs (what a `timerFired` then closes).
    public var isWritingResponse: Bool {
        if case .responding = state { return deadline != nil }
        return false
    }

    /// The peer shut down its sending side. Requests already buffered are still answered.
    public mutating func inputEnded(now: ServerInstant) -> Action {
        inputClosed = true
        switch state {
        case .closed, .responding: return .none
        case .idle, .reading: return advance(now: now)
        }
    }

    public mutating func timerFired(now: ServerInstant) -> Action {
        guard let deadline, now >= deadline else { return .none }
        switch state {
        case .reading:
            return fail(.headReadTimedOut)
        case .idle, .responding:
            state = .closed
            self.deadline = nil
            return .close
        case .closed:
            return .none
        }
    }

    /// Server shutdown: idle and half-read connections close now; a pending response finishes first.
    public mutating func shutdown() -> Action {
        shuttingDown = true
        switch state {
        case .idle, .reading:
            state = .closed
            deadline = nil
            return .close
        case .responding, .closed:
            return .none
        }
    }

    private mutating func advance(now: ServerInstant) -> Action {
        guard state == .idle || state == .reading else { return .none }
        if state == .idle && parser.hasPartialRequest {
            // Slowloris defence: the clock starts at the first byte and later bytes never extend it.
            state = .reading
            deadline = now.advanced(by: limits.headReadTimeout)
        }
        let request: HTTPRequest?
        do {
            request = try parser.nextRequest()
        } catch {
            return fail(error)
        }
        guard let request else {
            if parser.isAwaitingBodyAfterExpectContinue && !continueSent && !inputClosed {
                continueSent = true
                return .sendContinue
            }
            if inputClosed {
                state = .closed
                deadline = nil
                return .close
            }
            return .none
        }
        requestsStarted += 1
        continueSent = false
        let closeAfter =
            !request.wantsKeepAlive || requestsStarted >= limits.maxRequestsPerConnection
            || shuttingDown || (inputClosed && !parser.hasPartialRequest)
        state = .responding(closeAfter: closeAfter)
        deadline = nil
        return .dispatch(request, closeAfter: closeAfter)
    }

    private mutating func fail(_ error: HTTPParseError) -> Action {
        state = .closed
        deadline = nil
        return .respondAndClose(.status(error.status), error)
    }
}
