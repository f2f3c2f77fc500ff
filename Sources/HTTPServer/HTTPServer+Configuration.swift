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

        public init(
            listen: String = ":9184", limits: Limits = Limits(), authentication: Authentication? = nil,
            workerThreads: Int = 2
        ) {
            self.listen = listen
            self.limits = limits
            self.authentication = authentication
            self.workerThreads = workerThreads
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

        public init(
            maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100,
            maxBodyBytes: Int = 65536, headReadTimeout: Duration = .seconds(10),
            keepAliveIdleTimeout: Duration = .seconds(60), maxRequestsPerConnection: Int = 1000,
            maxConnections: Int = 512
        ) {
            self.maxRequestLineBytes = maxRequestLineBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
            self.headReadTimeout = headReadTimeout
            self.keepAliveIdleTimeout = keepAliveIdleTimeout
            self.maxRequestsPerConnection = maxRequestsPerConnection
            self.maxConnections = maxConnections
        }
    }
}
