import Testing

@_spi(Fuzzing) @testable import HTTPServer

/// Drives the pure connection state machine with hand-made instants (no sleeping, no sockets).
@Suite struct ConnectionStateMachineTests {
    let t0 = ServerInstant(nanoseconds: 1_000_000_000)
    let limits = HTTPServer.Limits(
        headReadTimeout: .milliseconds(300), keepAliveIdleTimeout: .seconds(2),
        maxRequestsPerConnection: 3)

    func at(_ milliseconds: Int64) -> ServerInstant {
        ServerInstant(nanoseconds: t0.nanoseconds + milliseconds * 1_000_000)
    }

    func feed(_ machine: inout ConnectionStateMachine, _ text: String, at time: ServerInstant)
        -> ConnectionStateMachine.Action
    {
        Array(text.utf8).withUnsafeBytes { machine.bytesReceived($0, now: time) }
    }

    func dispatched(_ action: ConnectionStateMachine.Action) -> (path: String, closeAfter: Bool)? {
        if case .dispatch(let request, let closeAfter) = action { return (request.path, closeAfter) }
        return nil
    }

    func errorStatus(_ action: ConnectionStateMachine.Action) -> Int? {
        if case .respondAndClose(let response, _) = action { return response.status.code }
        return nil
    }

    func isClose(_ action: ConnectionStateMachine.Action) -> Bool {
        if case .close = action { return true }
        return false
    }

    @Test func headTimer_startsAtFirstByte_andIsNotExtendedByLaterBytes() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        #expect(machine.deadline == at(300))
        _ = feed(&machine, "GET / HT", at: at(100))
        #expect(machine.deadline == at(400))
        _ = feed(&machine, "TP/1.1\r\n", at: at(250))
        _ = feed(&machine, "Host: x\r\n", at: at(390))
        #expect(machine.deadline == at(400))
        #expect(errorStatus(machine.timerFired(now: at(399))) == nil)
        #expect(errorStatus(machine.timerFired(now: at(400))) == 408)
        #expect(machine.state == .closed)
    }

    @Test func idleTimer_closesSilently_afterAResponse() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        #expect(dispatched(feed(&machine, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", at: at(10)))?.path == "/a")
        #expect(machine.deadline == nil)
        if case .none = machine.responseWritten(now: at(20)) {} else { Issue.record("expected no action") }
        #expect(machine.deadline == at(2020))
        if case .none = machine.timerFired(now: at(2019)) {} else { Issue.record("fired early") }
        #expect(isClose(machine.timerFired(now: at(2020))))
    }

    @Test func sendStall_closesAfterTimeoutWithoutProgress_andProgressRestartsIt() {
        var stall = limits
        stall.sendStallTimeout = .seconds(1)
        var machine = ConnectionStateMachine(limits: stall, now: t0)
        #expect(dispatched(feed(&machine, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", at: at(10))) != nil)
        #expect(!machine.isWritingResponse)
        machine.writeBlocked(now: at(20), progressed: false)
        #expect(machine.deadline == at(1020))
        #expect(machine.isWritingResponse)
        // Retrying without a byte going out does not extend the timer.
        machine.writeBlocked(now: at(500), progressed: false)
        #expect(machine.deadline == at(1020))
        // Bytes going out restart it.
        machine.writeBlocked(now: at(900), progressed: true)
        #expect(machine.deadline == at(1900))
        if case .none = machine.timerFired(now: at(1899)) {} else { Issue.record("fired early") }
        #expect(isClose(machine.timerFired(now: at(1900))))
    }

    @Test func pipelinedRequests_areDispatchedOneAtATime_inOrder() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        let three =
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(dispatched(feed(&machine, three, at: at(1)))?.path == "/1")
        #expect(dispatched(machine.responseWritten(now: at(2)))?.path == "/2")
        let third = dispatched(machine.responseWritten(now: at(3)))
        #expect(third?.path == "/3")
        // The third request is the per-connection maximum (3), so it closes.
        #expect(third?.closeAfter == true)
        #expect(isClose(machine.responseWritten(now: at(4))))
    }

    @Test func maxRequestsPerConnection_allowsN_thenCloses() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        for index in 1...3 {
            let result = dispatched(feed(&machine, "GET /\(index) HTTP/1.1\r\nHost: x\r\n\r\n", at: at(Int64(index))))
            #expect(result?.closeAfter == (index == 3))
            let after = machine.responseWritten(now: at(Int64(index)))
            #expect(isClose(after) == (index == 3))
        }
    }

    @Test func http10_closesUnlessKeepAliveRequested() {
        var plain = ConnectionStateMachine(limits: limits, now: t0)
        #expect(dispatched(feed(&plain, "GET / HTTP/1.0\r\n\r\n", at: at(1)))?.closeAfter == true)
        var keepAlive = ConnectionStateMachine(limits: limits, now: t0)
        #expect(
            dispatched(feed(&keepAlive, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", at: at(1)))?.closeAfter
                == false)
        var close11 = ConnectionStateMachine(limits: limits, now: t0)
        #expect(
            dispatched(feed(&close11, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", at: at(1)))?.closeAfter
                == true)
    }

    @Test func malformedRequest_answersErrorAndCloses() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        #expect(errorStatus(feed(&machine, "GET / HTTP/3.0\r\nHost: x\r\n\r\n", at: at(1))) == 505)
        #expect(machine.state == .closed)
        if case .none = feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: at(2)) {
        } else {
            Issue.record("a closed connection must ignore input")
        }
    }

    @Test func shutdown_closesIdleAtOnce_andLetsAPendingResponseFinish() {
        var idle = ConnectionStateMachine(limits: limits, now: t0)
        #expect(isClose(idle.shutdown()))
        var busy = ConnectionStateMachine(limits: limits, now: t0)
        _ = feed(&busy, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n", at: at(1))
        if case .none = busy.shutdown() {} else { Issue.record("must wait for the response") }
        #expect(isClose(busy.responseWritten(now: at(2))))
    }

    @Test func endOfInput_stillAnswersBufferedRequests_thenCloses() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        _ = feed(&machine, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", at: at(1))
        if case .none = machine.inputEnded(now: at(2)) {} else { Issue.record("request /a is pending") }
        let second = dispatched(machine.responseWritten(now: at(3)))
        #expect(second?.path == "/b")
        #expect(second?.closeAfter == true)
        #expect(isClose(machine.responseWritten(now: at(4))))
    }

    @Test func endOfInput_midRequest_closesWithoutResponse() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        _ = feed(&machine, "GET /a HTTP/1.1\r\nHo", at: at(1))
        #expect(isClose(machine.inputEnded(now: at(2))))
    }

    @Test func buffering_stopsAfterOneMaximalRequest_whileAResponseIsPending() {
        let small = HTTPServer.Limits(maxRequestLineBytes: 100, maxHeaderBytes: 100, maxBodyBytes: 100)
        var machine = ConnectionStateMachine(limits: small, now: t0)
        _ = feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: at(1))
        #expect(machine.wantsMoreInput)
        _ = feed(&machine, String(repeating: "x", count: 400), at: at(2))
        #expect(!machine.wantsMoreInput)
    }
}

extension ConnectionStateMachineTests {
    @Test func expectContinue_asksForInterimResponseOnce_thenDispatches() {
        var machine = ConnectionStateMachine(limits: limits, now: t0)
        let head = "POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
        if case .sendContinue = feed(&machine, head, at: at(1)) {} else { Issue.record("expected 100 Continue") }
        if case .none = feed(&machine, "ab", at: at(2)) {} else { Issue.record("100 Continue sent twice") }
        #expect(dispatched(feed(&machine, "cd", at: at(3)))?.path == "/u")
        var plain = ConnectionStateMachine(limits: limits, now: t0)
        if case .none = feed(&plain, "POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n", at: at(1)) {
        } else {
            Issue.record("no Expect header, no interim response")
        }
        var old = ConnectionStateMachine(limits: limits, now: t0)
        if case .none = feed(&old, "POST /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", at: at(1)) {
        } else {
            Issue.record("HTTP/1.0 clients get no 100 Continue")
        }
    }
}
