extension HTTPServer {
    /// What the server listens on, how hard it protects itself, and who may talk to it.
    public struct Configuration: Sendable {
        public typealias Limits = HTTPServer.Limits

        /// Listen address: `":9184"` (all interfaces, IPv6 dual-stack with IPv4 fallback), `"127.0.0.1:0"`,
        /// `"[::1]:9184"`, `"0.0.0.0:9184"`. Port 0 picks a free port. Default `":9184"`.
        public var listen: String
        /// Resource limits; see ``Limits``.
        public var limits: Limits
        /// Credentials required on every route that does not opt out; `nil` (the default) disables authentication.
        public var authentication: Authentication?
        /// Threads that run route handlers (and bcrypt verification). Default 2, minimum 1.
        public var workerThreads: Int
        /// Extra threads that run only prioritized routes (`HTTPRouter.add(prioritized:)`, e.g. `/metrics`),
        /// so those never queue behind slow requests to other routes. The general workers also take
        /// prioritized requests first. Default 1; 0 leaves priority as queue order only.
        public var reservedWorkerThreads: Int
        /// After responses waiting to be sent have held at least this many bytes and then all drained, the
        /// server asks the allocator to return free memory to the kernel (`malloc_trim`), so a burst of slow
        /// readers does not leave its high-water mark resident. Default 48 MiB (three quarters of the default
        /// pending budget): well above one ordinary scrape, whose buffers the service deliberately keeps warm
        /// between scrapes (`ScrapeMemory`); `nil` never trims.
        public var trimMemoryAfterBurstBytes: Int?
        /// Serve HTTPS with these settings; `nil` (the default) serves plain HTTP. Every limit applies
        /// unchanged over TLS; connections over a cap are closed without the plain-text 503.
        public var tls: TLSServerConfiguration?

        public init(
            listen: String = ":9184", limits: Limits = Limits(), authentication: Authentication? = nil,
            workerThreads: Int = 2, reservedWorkerThreads: Int = 1, trimMemoryAfterBurstBytes: Int? = 48 << 20,
            tls: TLSServerConfiguration? = nil
        ) {
            self.tls = tls
            self.listen = listen
            self.limits = limits
            self.authentication = authentication
            self.workerThreads = workerThreads
            self.reservedWorkerThreads = reservedWorkerThreads
            self.trimMemoryAfterBurstBytes = trimMemoryAfterBurstBytes
        }
    }

    /// Bounds on what one client can make the server buffer, wait for or hold open.
    public struct Limits: Sendable, Equatable {
        /// Longest request line (method, target, version) in bytes, excluding the line ending. Default 8192 (8 KiB).
        public var maxRequestLineBytes: Int
        /// Most bytes of header field lines, each counted with its line ending (the request line and the final
        /// empty line excluded). Default 16384 (16 KiB).
        public var maxHeaderBytes: Int
        /// Most header fields in one request. Default 100.
        public var maxHeaderCount: Int
        /// Largest request body in bytes (`Content-Length`). Default 65536 (64 KiB).
        public var maxBodyBytes: Int
        /// Time from the first byte of a request until the whole request (head and body) has arrived; later
        /// bytes do not extend it (slowloris). On expiry the server answers 408 and closes. Default 10 s.
        public var headReadTimeout: Duration
        /// Time a keep-alive connection may sit idle between requests before it is closed. Default 60 s.
        public var keepAliveIdleTimeout: Duration
        /// Requests served on one connection before the server closes it. Default 1000.
        public var maxRequestsPerConnection: Int
        /// Connections open at once; further connections get a minimal 503 and are closed. Default 512.
        public var maxConnections: Int
        /// Connections open at once from one client address (IPv4 address, or IPv6 address without port),
        /// under ``maxConnections``, so one host cannot fill the server; further connections from that
        /// address get a minimal 503 and are closed. Default 64.
        public var maxConnectionsPerAddress: Int
        /// Time a response may make no progress (the peer reads nothing) before the connection is closed.
        /// Any bytes taken by the socket restart it. Default 20 s.
        public var sendStallTimeout: Duration
        /// Bytes that responses waiting to be sent may hold in total, over all connections (a body shared by
        /// several responses counts once). Over it, the connections whose responses made progress least
        /// recently are closed until the total fits, so slow readers cannot hold a copy of a large response
        /// each, while clients that read keep being served. Default 67108864 (64 MiB).
        public var maxPendingResponseBytes: Int

        public init(
            maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100,
            maxBodyBytes: Int = 65536, headReadTimeout: Duration = .seconds(10),
            keepAliveIdleTimeout: Duration = .seconds(60), maxRequestsPerConnection: Int = 1000,
            maxConnections: Int = 512, maxConnectionsPerAddress: Int = 64, sendStallTimeout: Duration = .seconds(20),
            maxPendingResponseBytes: Int = 64 << 20
        ) {
            self.maxRequestLineBytes = maxRequestLineBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
            self.headReadTimeout = headReadTimeout
            self.keepAliveIdleTimeout = keepAliveIdleTimeout
            self.maxRequestsPerConnection = maxRequestsPerConnection
            self.maxConnections = maxConnections
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.sendStallTimeout = sendStallTimeout
            self.maxPendingResponseBytes = maxPendingResponseBytes
        }
    }
}
