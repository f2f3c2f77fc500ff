/// HTTPServer: an HTTP/1.0 and 1.1 server over POSIX sockets. It owns sockets, the epoll event loop, the
/// incremental request parser, limits, connection handling, routing and optional authentication, and knows
/// nothing of what it serves. It imports only Glibc, CCrypt (libxcrypt, epoll) and Logging.
import Logging
import Platform
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Serves an ``HTTPRouter``'s routes. One event-loop thread handles every socket; a fixed pool of worker
/// threads runs handlers. Neither uses Swift's cooperative thread pool.
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let router: HTTPRouter
    private let logger: Logger
    private let observer: (@Sendable (RequestLogRecord) -> Void)?

    struct Runtime {
        var loop: EventLoop?
        var loopThread: pthread_t?
        var tls: TLSCredentials?
        var started = false
        var stopped = false
    }
    let runtime = Mutex(Runtime())
    private let stoppedCondition = ConditionLock()

    /// `observer` is called once per final response, from a worker thread (or from the event-loop thread for
    /// errors the transport answers itself: 400/408/413/414/431/501/505/503), so it must be thread-safe and quick.
    public init(
        configuration: Configuration, router: HTTPRouter, logger: Logger,
        observer: (@Sendable (RequestLogRecord) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.observer = observer
    }

    /// Binds, starts the event loop and workers, and returns the bound port(s).
    ///
    /// Sets SIGPIPE to be ignored, process-wide: plain sockets are written with `MSG_NOSIGNAL`, but OpenSSL
    /// writes a TLS connection with plain `write`, and a client that hangs up mid-response would otherwise
    /// kill the process hosting the server instead of failing that one write with `EPIPE`.
    public func start() throws(HTTPServerError) -> [Int] {
        signal(SIGPIPE, SIG_IGN)
        let alreadyStarted = runtime.withLock { runtime -> Bool in
            defer { runtime.started = true }
            return runtime.started
        }
        if alreadyStarted { throw .alreadyStarted }
        do {
            return try startOnce()
        } catch {
            runtime.withLock { $0.started = false }
            throw error
        }
    }

    private func startOnce() throws(HTTPServerError) -> [Int] {
        let limits = configuration.limits
        guard limits.maxConnections > 0, limits.maxRequestsPerConnection > 0, limits.maxRequestLineBytes > 0,
            limits.maxHeaderBytes >= 0, limits.maxHeaderCount >= 0, limits.maxBodyBytes >= 0,
            limits.maxConnectionsPerAddress > 0, limits.maxPendingResponseBytes > 0, limits.sendStallTimeout > .zero,
            configuration.workerThreads > 0, configuration.reservedWorkerThreads >= 0
        else {
            throw .invalidConfiguration("limits and workerThreads must be positive")
        }
        let address = try ListenAddress(parsing: configuration.listen)
        var credentials: TLSCredentials?
        if let tls = configuration.tls {
            guard tls.handshakeTimeout > .zero, tls.reloadCheckInterval > .zero else {
                throw .invalidConfiguration("TLS handshakeTimeout and reloadCheckInterval must be positive")
            }
            do { credentials = try TLSCredentials(configuration: tls, logger: logger) } catch { throw .tls(error) }
        }
        let (listener, port) = try Socket.listen(on: address, text: configuration.listen)
        let loop: EventLoop
        do {
            loop = try EventLoop(
                listeners: [listener], limits: limits, trimAfterBurstBytes: configuration.trimMemoryAfterBurstBytes,
                logger: logger, observer: observer, tls: credentials)
        } catch {
            close(listener)
            throw .socket(error, address: configuration.listen)
        }
        let responder = RequestResponder(
            router: router, authentication: configuration.authentication,
            observer: observer)
        let pool: WorkerPool<EventLoop.Job>
        do {
            pool = try WorkerPool(
                count: configuration.workerThreads, reserved: configuration.reservedWorkerThreads,
                makeState: { ResponseEncoder() }
            ) {
                job, encoder in
                let bytes = responder.respond(to: job.request, closeAfter: job.closeAfter, encoder: &encoder)
                let (written, failed) = job.workerSends ? EventLoop.sendDirectly(bytes, fd: job.fd) : (0, false)
                loop.post(
                    EventLoop.Completion(
                        fd: job.fd, connectionID: job.connectionID, bytes: bytes,
                        written: written, failed: failed))
            }
            loop.attach(pool, responder: responder)
            let thread = try startThread(name: "ls-http-loop") { [self] in
                loop.run()
                pool.join()
                loop.closeDescriptorsHeldForWorkers()
                self.markStopped()
            }
            runtime.withLock { runtime in
                runtime.loop = loop
                runtime.loopThread = thread
                runtime.tls = credentials
            }
        } catch {
            // Threads already started leave once the loop that never ran is shut down and its pool stopped.
            loop.abandon()
            throw .socket(error, address: configuration.listen)
        }
        logger.info(
            "HTTP server listening",
            metadata: [
                "address": "\(configuration.listen)", "port": "\(port)", "tls": "\(configuration.tls != nil)",
            ])
        return [port]
    }

    /// Re-reads the TLS certificate, key and CA files now (SIGHUP), whether or not they changed. New
    /// handshakes use them; open connections keep theirs. On failure the previous certificate stays and
    /// the error is logged. Returns whether the files were reloaded (false without TLS or on failure).
    @discardableResult
    public func reloadTLS() -> Bool {
        runtime.withLock { $0.tls }?.reload(force: true) == .reloaded
    }

    /// Stops accepting, lets in-flight responses finish (with `Connection: close`), closes idle connections,
    /// and after `gracePeriod` closes whatever is left. Returns at once; see ``waitUntilStopped()``.
    public func shutdown(gracePeriod: Duration = .seconds(5)) {
        let loop = runtime.withLock { $0.loop }
        guard let loop else {
            markStopped()
            return
        }
        loop.requestShutdown(gracePeriod: gracePeriod)
    }

    /// Blocks the calling thread until the server has stopped (returns at once if it never started).
    /// Do not call it from a Swift concurrency task.
    public func waitUntilStopped() {
        let started = runtime.withLock { $0.started && $0.loop != nil }
        guard started else { return }
        stoppedCondition.lock()
        while !runtime.withLock({ $0.stopped }) { stoppedCondition.wait() }
        stoppedCondition.unlock()
        if let thread = runtime.withLock({ runtime -> pthread_t? in
            defer { runtime.loopThread = nil }
            return runtime.loopThread
        }) {
            POSIXThread.join(thread)
        }
    }

    private func markStopped() {
        stoppedCondition.lock()
        runtime.withLock { $0.stopped = true }
        stoppedCondition.unlock()
        stoppedCondition.broadcast()
    }
}
