import CLinux
import Logging
import Platform
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The transport: one thread running `epoll` over non-blocking sockets (edge-triggered), accepting,
/// reading into each connection's parser, and enforcing timeouts and the connection cap. Parsed requests go
/// to the worker pool; the worker sends the response itself (the event loop never writes to a connection
/// while a handler owns it, and never closes it before the worker reports back through `post(_:)`), and the
/// loop only writes what the socket did not take at once.
final class EventLoop: @unchecked Sendable {
    struct Job: Sendable {
        let fd: Int32
        let connectionID: UInt64
        let request: HTTPRequest
        let closeAfter: Bool
        /// Runs ahead of ordinary jobs (a prioritized route such as `/metrics`).
        let prioritized: Bool
        /// The worker may write the response to the socket itself (plain HTTP); over TLS the event loop
        /// encrypts and writes it, since the connection's `SSL` belongs to the loop's thread.
        let workerSends: Bool
    }

    struct Completion: Sendable {
        let fd: Int32
        let connectionID: UInt64
        let bytes: OutgoingBytes
        /// How many of `bytes` the worker already sent.
        let written: Int
        /// The worker's send failed (peer gone); the connection is to be closed.
        let failed: Bool
    }

    /// How long a connection we are closing keeps draining input so our last response is not lost to a
    /// TCP reset, and how much it may discard meanwhile.
    static let lingerTime = Duration.seconds(2)
    static let lingerMaxBytes = 256 * 1024
    static let readChunk = 64 * 1024
    static let continueResponse = OutgoingBytes(head: Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), body: [])

    private let limits: HTTPServer.Limits
    /// Pending bytes after which, once drained, free memory is returned to the kernel; nil never.
    private let trimAfterBurstBytes: Int?
    private let logger: Logger
    private let observer: (@Sendable (RequestLogRecord) -> Void)?
    /// Present when serving HTTPS: the context new connections start with, reloaded when its files change.
    private let tls: TLSCredentials?
    private var nextTLSReloadCheck = ServerInstant(nanoseconds: .max)
    /// Plain bytes of one TLS record gathered across a response's head and body, so a small response is
    /// one record and one `send`.
    private let tlsRecord = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    private let epollFD: Int32
    private let wakeFD: Int32
    private var listeners: [Int32]
    private var listenersPausedUntil: ServerInstant?
    private var connections: [Int32: Connection] = [:]
    /// Open connections by peer address (without port), for `maxConnectionsPerAddress`.
    private var connectionsPerAddress: [String: Int] = [:]
    private var budget: ResponseMemoryBudget
    /// The largest pending total since memory was last given back.
    private var burstPeak = 0
    /// Counters for `HTTPServer.statistics()`; written by this thread only, read by any.
    let statistics = Mutex(HTTPServer.Statistics())
    private var nextConnectionID: UInt64 = 1
    private var nextTimerCheck = ServerInstant(nanoseconds: .max)
    private var scratch: UnsafeMutableRawBufferPointer
    private var encoder = ResponseEncoder()
    private var pool: WorkerPool<Job>!
    /// Answers `runsOnEventLoop` routes on this thread; nil sends every request to the pool.
    private var responder: RequestResponder?
    /// Responses made on this thread, sent after the current batch of events (never from inside the
    /// read path, so a pipelined run of such requests is a loop, not a recursion).
    private var ready: [Completion] = []
    /// Rounds of `ready` per loop iteration, so one client pipelining health checks cannot starve the rest.
    static let readyRoundsPerIteration = 64

    private struct Inbox {
        var completions: [Completion] = []
        var wakePending = false
        var shutdownGrace: Duration?
    }
    private let inbox = Mutex(Inbox())
    private var shutdownDeadline: ServerInstant?
    /// Connections a worker still held when the grace period ended: closed only after the workers stop.
    private var closeAfterWorkers: [Int32] = []

    init(
        listeners: [Int32], limits: HTTPServer.Limits, trimAfterBurstBytes: Int? = nil, logger: Logger,
        observer: (@Sendable (RequestLogRecord) -> Void)?, tls: TLSCredentials? = nil
    ) throws(SocketError) {
        self.limits = limits
        self.tls = tls
        if let tls {
            nextTLSReloadCheck = ServerInstant.now().advanced(by: tls.configuration.reloadCheckInterval)
            nextTimerCheck = nextTLSReloadCheck
        }
        self.trimAfterBurstBytes = trimAfterBurstBytes
        budget = ResponseMemoryBudget(limit: limits.maxPendingResponseBytes)
        self.logger = logger
        self.observer = observer
        self.listeners = listeners
        epollFD = try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            wakeFD = try syscall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
        } catch {
            close(epollFD)
            throw error
        }
        scratch = .allocate(byteCount: Self.readChunk, alignment: 16)
        do {
            try control(EPOLL_CTL_ADD, wakeFD, events: EPOLLIN.rawValue)
            for listener in listeners { try control(EPOLL_CTL_ADD, listener, events: EPOLLIN.rawValue) }
        } catch {
            close(wakeFD)
            close(epollFD)
            scratch.deallocate()
            throw error
        }
    }

    deinit {
        scratch.deallocate()
        tlsRecord.deallocate()
    }

    /// Releases everything when `run()` will never be called (start-up failed half way).
    func abandon() {
        pool?.stop()
        for listener in listeners { close(listener) }
        listeners.removeAll()
        close(wakeFD)
        close(epollFD)
    }

    /// Attaches the pool that runs handlers, and the responder for routes that run on the loop itself;
    /// must be called before `run()`.
    func attach(_ pool: WorkerPool<Job>, responder: RequestResponder? = nil) {
        self.pool = pool
        self.responder = responder
    }

    // MARK: Called from other threads

    func post(_ completion: Completion) {
        let wake = inbox.withLock { inbox -> Bool in
            inbox.completions.append(completion)
            defer { inbox.wakePending = true }
            return !inbox.wakePending
        }
        if wake { signalWake() }
    }

    func requestShutdown(gracePeriod: Duration) {
        inbox.withLock { inbox in
            if inbox.shutdownGrace == nil { inbox.shutdownGrace = gracePeriod }
            inbox.wakePending = true
        }
        signalWake()
    }

    private func signalWake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: The loop

    /// Runs until shutdown has completed; then closes every descriptor it owns.
    func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        var completions: [Completion] = []
        while true {
            let now = ServerInstant.now()
            if let shutdownDeadline {
                if connections.isEmpty { break }
                if now >= shutdownDeadline {
                    logger.debug("grace period over; closing \(connections.count) connections")
                    for connection in Array(connections.values) { destroy(connection) }
                    break
                }
            }
            var wakeAt = nextTimerCheck
            if let shutdownDeadline { wakeAt = min(wakeAt, shutdownDeadline) }
            var timeout: Int32 = wakeAt.nanoseconds == .max ? -1 : Int32(clamping: now.milliseconds(until: wakeAt))
            if !ready.isEmpty { timeout = 0 }
            let count = epoll_wait(epollFD, events, Int32(capacity), timeout)
            if count < 0 {
                if errno == EINTR { continue }
                logger.critical("\(SocketError(call: "epoll_wait", errno: errno)); stopping the HTTP server")
                break
            }
            let afterWait = ServerInstant.now()
            var woken = false
            for index in 0..<Int(count) {
                let event = events[index]
                let fd = event.data.fd
                if fd == wakeFD {
                    woken = true
                } else if listeners.contains(fd) {
                    acceptConnections(on: fd, now: afterWait)
                } else if let connection = connections[fd] {
                    handle(event.events, on: connection, now: afterWait)
                }
            }
            if woken {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
                let grace = inbox.withLock { inbox -> Duration? in
                    swap(&completions, &inbox.completions)
                    inbox.wakePending = false
                    return inbox.shutdownGrace
                }
                for completion in completions { complete(completion, now: afterWait) }
                completions.removeAll(keepingCapacity: true)
                if let grace, shutdownDeadline == nil { beginShutdown(grace: grace, now: afterWait) }
            }
            sendReady(now: afterWait)
            if afterWait >= nextTimerCheck { checkTimers(now: afterWait) }
        }
        for listener in listeners { close(listener) }
        listeners.removeAll()
        pool?.stop()
        close(wakeFD)
        close(epollFD)
    }

    // MARK: Accepting

    private func acceptConnections(on listener: Int32, now: ServerInstant) {
        for _ in 0..<64 {
            let accepted: (fd: Int32, remote: String)?
            do {
                accepted = try Socket.accept(listener)
            } catch {
                // Out of descriptors or memory: stop accepting briefly instead of spinning on a ready listener.
                logger.warning("\(error); pausing accept for 100 ms")
                pauseListeners(until: now.advanced(by: .milliseconds(100)))
                return
            }
            guard let (fd, remote) = accepted else { return }
            if connections.count >= limits.maxConnections {
                reject(fd, remote: remote, perAddress: false)
                continue
            }
            let addressKey = Connection.addressKey(of: remote)
            if connectionsPerAddress[addressKey, default: 0] >= limits.maxConnectionsPerAddress {
                reject(fd, remote: remote, perAddress: true)
                continue
            }
            try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            let connection = Connection(
                fd: fd, id: nextConnectionID, remoteAddress: remote,
                machine: ConnectionStateMachine(limits: limits, now: now), now: now)
            nextConnectionID += 1
            if let tls {
                guard let session = TLSSession(context: tls.context, fd: fd) else {
                    logger.warning("cannot allocate a TLS session; dropping connection from \(remote)")
                    close(fd)
                    continue
                }
                connection.tls = session
                connection.handshakeDeadline = now.advanced(by: tls.configuration.handshakeTimeout)
            }
            do {
                try control(
                    EPOLL_CTL_ADD, fd,
                    events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue
                        | EPOLLET.rawValue)
            } catch {
                logger.warning("\(error); dropping connection from \(remote)")
                close(fd)
                continue
            }
            connections[fd] = connection
            connectionsPerAddress[addressKey, default: 0] += 1
            let open = connections.count
            statistics.withLock { $0.openConnections = open }
            noteDeadline(of: connection)
        }
    }

    /// Over the connection cap, or over the per-address cap: a minimal 503 and close, without touching any
    /// other connection.
    private func reject(_ fd: Int32, remote: String, perAddress: Bool) {
        // Over TLS there is no session to answer in (a handshake costs more than the cap protects): close.
        if tls == nil {
            var bytes = encoder.encode(.status(.serviceUnavailable), headOnly: false, close: true, version: .http1_1)
            _ = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        // Read what the client already sent so close() does not turn into a reset that eats the 503.
        _ = recv(fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
        if perAddress {
            logger.debug("per-address connection cap \(limits.maxConnectionsPerAddress) reached; rejected \(remote)")
            statistics.withLock { $0.connectionsRejectedPerAddress += 1 }
        } else {
            logger.debug("connection cap \(limits.maxConnections) reached; rejected \(remote)")
            statistics.withLock { $0.connectionsRejectedAtCapacity += 1 }
        }
        observer?(
            RequestLogRecord(
                route: "other", method: "other", statusCode: 503, remoteAddress: remote,
                handlerNanoseconds: 0))
    }

    private func pauseListeners(until instant: ServerInstant) {
        guard listenersPausedUntil == nil else { return }
        listenersPausedUntil = instant
        for listener in listeners { try? control(EPOLL_CTL_MOD, listener, events: 0) }
        nextTimerCheck = min(nextTimerCheck, instant)
    }

    // MARK: Socket events

    private func handle(_ events: UInt32, on connection: Connection, now: ServerInstant) {
        let hangup = events & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        let readable = events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        let writable = events & EPOLLOUT.rawValue != 0
        // TLS crosses directions: a handshake or read may wait to write, a write may wait to read.
        let session = connection.tls
        if (writable || (readable && session?.writeWaitsForReadable == true)) && !connection.pending.isEmpty {
            flush(connection, now: now)
            if connection.closed { return }
        }
        if readable || (writable && session?.readWaitsForWritable == true) {
            readAvailable(connection, hangup: hangup, now: now)
        }
    }

    private func readAvailable(_ connection: Connection, hangup: Bool, now: ServerInstant) {
        while !connection.closed {
            if connection.lingerDeadline != nil {
                drainLingering(connection)
                return
            }
            guard connection.machine.wantsMoreInput else {
                connection.readPaused = true
                return
            }
            connection.readPaused = false
            if let session = connection.tls {
                guard handshakeDone(session, on: connection, now: now) else { return }
                readTLS(session, on: connection, now: now)
                return
            }
            let count = read(connection.fd, scratch.baseAddress, scratch.count)
            if count > 0 {
                let action = connection.machine.bytesReceived(
                    UnsafeRawBufferPointer(rebasing: scratch[..<count]),
                    now: now)
                perform(action, on: connection, now: now)
                // A short read drained the socket; edge-triggered epoll reports the next arrival.
                if count < scratch.count && !hangup { return }
            } else if count == 0 {
                perform(connection.machine.inputEnded(now: now), on: connection, now: now)
                return
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
                logger.trace("\(SocketError(call: "read", errno: code)) from \(connection.remoteAddress)")
                fail(connection)
                return
            }
        }
    }

    /// Advances the handshake; true once it is complete. A failed handshake closes the connection.
    private func handshakeDone(_ session: TLSSession, on connection: Connection, now: ServerInstant) -> Bool {
        if session.established { return true }
        switch session.handshake() {
        case .bytes:
            connection.handshakeDeadline = nil
            statistics.withLock { $0.tlsHandshakesCompleted += 1 }
            return true
        case .wantRead, .wantWrite:
            return false
        case .closed:
            destroy(connection)
        case .failed(let reason):
            logger.debug("TLS handshake with \(connection.remoteAddress) failed: \(reason)")
            statistics.withLock { $0.tlsHandshakesFailed += 1 }
            destroy(connection)
        }
        return false
    }

    /// Decrypts until OpenSSL has nothing more (edge-triggered: a short read proves nothing, a record may
    /// still be buffered), stopping, like plain reads, once a full request waits behind a response.
    private func readTLS(_ session: TLSSession, on connection: Connection, now: ServerInstant) {
        while !connection.closed && connection.lingerDeadline == nil {
            guard connection.machine.wantsMoreInput else {
                connection.readPaused = true
                return
            }
            switch session.read(into: scratch) {
            case .bytes(let count):
                let action = connection.machine.bytesReceived(
                    UnsafeRawBufferPointer(rebasing: scratch[..<count]), now: now)
                perform(action, on: connection, now: now)
            case .wantRead, .wantWrite:
                return
            case .closed:
                perform(connection.machine.inputEnded(now: now), on: connection, now: now)
                return
            case .failed(let reason):
                logger.trace("TLS read from \(connection.remoteAddress) failed: \(reason)")
                fail(connection)
                return
            }
        }
    }

    private func perform(_ action: ConnectionStateMachine.Action, on connection: Connection, now: ServerInstant) {
        switch action {
        case .none:
            break
        case .dispatch(var request, let closeAfter):
            request.remoteAddress = connection.remoteAddress
            connection.inFlight = true
            if connection.pending.isEmpty, let responder,
                let bytes = responder.respondOnEventLoop(to: request, closeAfter: closeAfter, encoder: &encoder)
            {
                ready.append(
                    Completion(fd: connection.fd, connectionID: connection.id, bytes: bytes, written: 0, failed: false))
                break
            }
            let job = Job(
                fd: connection.fd, connectionID: connection.id, request: request, closeAfter: closeAfter,
                prioritized: responder?.isPrioritized(request) ?? false, workerSends: connection.tls == nil)
            // The worker writes to the socket itself, so it must not start while a 100 Continue is still queued.
            if connection.pending.isEmpty {
                pool.submit(job, prioritized: job.prioritized)
            } else {
                connection.heldJob = job
            }
        case .respondAndClose(let response, let error):
            logger.debug("\(connection.remoteAddress): \(error); answering \(response.status.code) and closing")
            observer?(
                RequestLogRecord(
                    route: "other", method: "other", statusCode: response.status.code,
                    remoteAddress: connection.remoteAddress, handlerNanoseconds: 0))
            connection.closeAfterWrite = true
            sendResponse(
                encoder.encodeParts(response, headOnly: false, close: true, version: .http1_1), on: connection, now: now
            )
        case .sendContinue:
            // Interim response (RFC 9110 §15.2.1); nothing else is being written while a request is read.
            if connection.pending.isEmpty && !connection.inFlight {
                connection.pendingIsInterim = true
                sendResponse(Self.continueResponse, on: connection, now: now)
            }
        case .close:
            if connection.inFlight { break }
            // Closing after a response: linger so unread input cannot reset the connection under it.
            if connection.machine.requestsStarted > 0 {
                startLingering(connection, now: now)
            } else {
                destroy(connection)
            }
        }
        if !connection.closed { noteDeadline(of: connection) }
    }

    // MARK: Writing

    /// Sends the responses made on this thread, like a worker's completions; writing one may dispatch the
    /// connection's next pipelined request, answered in the next round.
    private func sendReady(now: ServerInstant) {
        var rounds = 0
        while !ready.isEmpty && rounds < Self.readyRoundsPerIteration {
            var batch: [Completion] = []
            swap(&batch, &ready)
            for completion in batch { complete(completion, now: now) }
            rounds += 1
        }
    }

    private func complete(_ completion: Completion, now: ServerInstant) {
        guard let connection = connections[completion.fd], connection.id == completion.connectionID else { return }
        connection.inFlight = false
        if connection.broken || completion.failed {
            destroy(connection)
            return
        }
        if completion.written > 0 { connection.lastWriteProgress = now }
        setPending(completion.bytes, offset: completion.written, on: connection)
        if connection.closed { return }
        flush(connection, now: now)
    }

    /// Sends as much of a response as the socket takes without blocking; run by the worker that made it.
    static func sendDirectly(_ bytes: OutgoingBytes, fd: Int32) -> (written: Int, failed: Bool) {
        var written = 0
        while written < bytes.count {
            let count = bytes.send(fd: fd, from: written, flags: Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if count >= 0 {
                written += count
                continue
            }
            let code = errno
            if code == EINTR { continue }
            return (written, !(code == EAGAIN || code == EWOULDBLOCK))
        }
        return (written, false)
    }

    private func sendResponse(_ bytes: OutgoingBytes, on connection: Connection, now: ServerInstant) {
        setPending(bytes, offset: 0, on: connection)
        if connection.closed { return }
        flush(connection, now: now)
    }

    /// Makes `bytes` the connection's pending response and charges it to the memory budget; over budget,
    /// closes the connections whose responses progressed least recently (this one included) until it fits.
    private func setPending(_ bytes: OutgoingBytes, offset: Int, on connection: Connection) {
        clearPending(connection)
        connection.pending = bytes
        connection.pendingOffset = offset
        budget.charge(bytes)
        while budget.isOverLimit {
            var victim: Connection?
            for candidate in connections.values where !candidate.pending.isEmpty {
                if victim == nil || candidate.lastWriteProgress < victim!.lastWriteProgress { victim = candidate }
            }
            guard let victim else { break }
            logger.debug(
                "responses waiting to be sent exceed \(budget.limit) bytes; closing \(victim.remoteAddress)")
            destroy(victim)
            statistics.withLock { $0.connectionsClosedMemoryBudget += 1 }
        }
        burstPeak = max(burstPeak, budget.total)
        let total = budget.total
        statistics.withLock { statistics in
            statistics.pendingResponseBytes = total
            statistics.pendingResponseBytesPeak = max(statistics.pendingResponseBytesPeak, total)
        }
    }

    /// Releases the pending response's budget; once nothing is pending after a large burst, gives the
    /// freed memory back to the kernel (the scrape heap settings otherwise keep it resident).
    private func clearPending(_ connection: Connection) {
        guard !connection.pending.isEmpty else { return }
        budget.release(connection.pending)
        connection.pending = .empty
        connection.pendingOffset = 0
        let total = budget.total
        var trimmed = false
        if total == 0, let threshold = trimAfterBurstBytes, burstPeak >= threshold {
            burstPeak = 0
            malloc_trim(0)
            trimmed = true
        }
        statistics.withLock { statistics in
            statistics.pendingResponseBytes = total
            if trimmed { statistics.memoryTrims += 1 }
        }
    }

    private func flush(_ connection: Connection, now: ServerInstant) {
        var progressed = false
        while connection.pendingOffset < connection.pending.count {
            if let session = connection.tls {
                switch writeTLS(session, connection.pending, from: connection.pendingOffset) {
                case .bytes(let written):
                    connection.pendingOffset += written
                    progressed = true
                    connection.lastWriteProgress = now
                    continue
                case .wantRead, .wantWrite:
                    connection.machine.writeBlocked(now: now, progressed: progressed)
                    noteDeadline(of: connection)
                    return
                case .closed, .failed:
                    destroy(connection)
                    return
                }
            }
            let written = connection.pending.send(
                fd: connection.fd, from: connection.pendingOffset, flags: Int32(MSG_NOSIGNAL))
            if written >= 0 {
                connection.pendingOffset += written
                if written > 0 {
                    progressed = true
                    connection.lastWriteProgress = now
                }
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                connection.machine.writeBlocked(now: now, progressed: progressed)
                noteDeadline(of: connection)
                return
            }
            logger.trace("\(SocketError(call: "send", errno: code)) to \(connection.remoteAddress)")
            destroy(connection)
            return
        }
        clearPending(connection)
        if connection.pendingIsInterim {
            connection.pendingIsInterim = false
            if let job = connection.heldJob {
                connection.heldJob = nil
                pool.submit(job, prioritized: job.prioritized)
            }
            return
        }
        if connection.closeAfterWrite {
            startLingering(connection, now: now)
            return
        }
        perform(connection.machine.responseWritten(now: now), on: connection, now: now)
        if !connection.closed && connection.readPaused && !connection.inFlight {
            readAvailable(connection, hangup: false, now: now)
        }
    }

    /// Encrypts the next record of `bytes` from `offset`. The chunk depends only on `offset`, so a retry
    /// after `wantWrite` passes OpenSSL the same bytes, as it requires.
    private func writeTLS(_ session: TLSSession, _ bytes: OutgoingBytes, from offset: Int) -> TLSSession.Outcome {
        let headCount = bytes.head.count
        if offset < headCount && !bytes.body.isEmpty && headCount - offset < tlsRecord.count {
            // Head and the start of the body in one record.
            let headPart = headCount - offset
            let bodyPart = min(bytes.body.count, tlsRecord.count - headPart)
            bytes.head.withUnsafeBytes { head in
                tlsRecord.baseAddress!.copyMemory(from: head.baseAddress! + offset, byteCount: headPart)
            }
            bytes.body.withUnsafeBytes { body in
                (tlsRecord.baseAddress! + headPart).copyMemory(from: body.baseAddress!, byteCount: bodyPart)
            }
            return session.write(UnsafeRawBufferPointer(rebasing: tlsRecord[..<(headPart + bodyPart)]))
        }
        if offset < headCount {
            return bytes.head.withUnsafeBytes { session.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        }
        return bytes.body.withUnsafeBytes {
            session.write(UnsafeRawBufferPointer(rebasing: $0[(offset - headCount)...]))
        }
    }

    // MARK: Closing

    private func startLingering(_ connection: Connection, now: ServerInstant) {
        guard connection.lingerDeadline == nil else { return }
        connection.tls?.sendCloseNotify()
        shutdown(connection.fd, Int32(SHUT_WR))
        connection.lingerDeadline = now.advanced(by: Self.lingerTime)
        noteDeadline(of: connection)
        drainLingering(connection)
    }

    private func drainLingering(_ connection: Connection) {
        while !connection.closed {
            let count = read(connection.fd, scratch.baseAddress, scratch.count)
            if count > 0 {
                connection.lingerDiscarded += count
                if connection.lingerDiscarded > Self.lingerMaxBytes { destroy(connection) }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            destroy(connection)
        }
    }

    private func fail(_ connection: Connection) {
        if connection.inFlight {
            connection.broken = true
        } else {
            destroy(connection)
        }
    }

    private func destroy(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        connections[connection.fd] = nil
        clearPending(connection)
        if let count = connectionsPerAddress[connection.addressKey], count > 1 {
            connectionsPerAddress[connection.addressKey] = count - 1
        } else {
            connectionsPerAddress[connection.addressKey] = nil
        }
        let open = connections.count
        statistics.withLock { $0.openConnections = open }
        if connection.inFlight {
            // A worker may still send on this descriptor; closing it now could let the number be reused
            // for another file. Cut the connection now, release the descriptor once the workers have stopped.
            shutdown(connection.fd, Int32(SHUT_RDWR))
            closeAfterWorkers.append(connection.fd)
        } else {
            close(connection.fd)
        }
    }

    /// Closes descriptors held back from in-flight handlers; call after the worker threads have ended.
    func closeDescriptorsHeldForWorkers() {
        for fd in closeAfterWorkers { close(fd) }
        closeAfterWorkers.removeAll()
    }

    // MARK: Timers and shutdown

    private func noteDeadline(of connection: Connection) {
        if let deadline = connection.deadline, deadline < nextTimerCheck { nextTimerCheck = deadline }
    }

    private func checkTimers(now: ServerInstant) {
        var next = ServerInstant(nanoseconds: .max)
        if let paused = listenersPausedUntil {
            if now >= paused {
                listenersPausedUntil = nil
                for listener in listeners { try? control(EPOLL_CTL_MOD, listener, events: EPOLLIN.rawValue) }
            } else {
                next = paused
            }
        }
        if let tls, now >= nextTLSReloadCheck {
            tls.reload(force: false)
            nextTLSReloadCheck = now.advanced(by: tls.configuration.reloadCheckInterval)
        }
        next = min(next, nextTLSReloadCheck)
        for connection in Array(connections.values) {
            if let handshake = connection.handshakeDeadline, now >= handshake {
                logger.debug("\(connection.remoteAddress) did not finish its TLS handshake in time; closing")
                statistics.withLock { $0.tlsHandshakesTimedOut += 1 }
                destroy(connection)
                continue
            }
            if let linger = connection.lingerDeadline {
                if now >= linger { destroy(connection) } else { next = min(next, linger) }
                continue
            }
            if let deadline = connection.machine.deadline, now >= deadline {
                if connection.machine.isWritingResponse {
                    // No byte of the response went out for sendStallTimeout: the peer does not read.
                    logger.debug("\(connection.remoteAddress) read nothing for \(limits.sendStallTimeout); closing")
                    destroy(connection)
                    statistics.withLock { $0.connectionsClosedSendStall += 1 }
                    continue
                }
                perform(connection.machine.timerFired(now: now), on: connection, now: now)
            }
            if !connection.closed, let deadline = connection.deadline { next = min(next, deadline) }
        }
        nextTimerCheck = next
    }

    private func beginShutdown(grace: Duration, now: ServerInstant) {
        shutdownDeadline = now.advanced(by: grace)
        for listener in listeners {
            try? control(EPOLL_CTL_DEL, listener, events: 0)
            close(listener)
        }
        listeners.removeAll()
        for connection in Array(connections.values) where connection.lingerDeadline == nil {
            perform(connection.machine.shutdown(), on: connection, now: now)
        }
    }

    private func control(_ operation: Int32, _ fd: Int32, events: UInt32) throws(SocketError) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        try syscall("epoll_ctl") { epoll_ctl(epollFD, operation, fd, &event) }
    }
}
