import Synchronization

extension HTTPServer {
    /// What the transport refused or cut to protect itself, for the embedding service to export (e.g. as
    /// `http_connections_rejected_total{reason}`). Counters only grow; gauges are read at the call.
    public struct Statistics: Sendable, Equatable {
        /// Connections answered 503 and closed at accept because `maxConnections` were open.
        public var connectionsRejectedAtCapacity: UInt64 = 0
        /// Connections answered 503 and closed at accept because their address had
        /// `maxConnectionsPerAddress` open.
        public var connectionsRejectedPerAddress: UInt64 = 0
        /// Connections closed because their response made no progress for `sendStallTimeout`.
        public var connectionsClosedSendStall: UInt64 = 0
        /// Connections closed to keep responses waiting to be sent within `maxPendingResponseBytes`.
        public var connectionsClosedMemoryBudget: UInt64 = 0
        /// Times the server returned free memory to the kernel after a burst (`malloc_trim`).
        public var memoryTrims: UInt64 = 0
        /// Gauge: bytes held by responses waiting to be sent (shared bodies counted once).
        public var pendingResponseBytes = 0
        /// The most `pendingResponseBytes` has been after the budget was enforced.
        public var pendingResponseBytesPeak = 0
        /// Gauge: connections open.
        public var openConnections = 0
        /// TLS handshakes completed.
        public var tlsHandshakesCompleted: UInt64 = 0
        /// TLS handshakes that failed (garbage instead of a ClientHello, no common version, a client
        /// certificate missing or not verified, the peer gone).
        public var tlsHandshakesFailed: UInt64 = 0
        /// Connections closed because their TLS handshake was not complete after `handshakeTimeout`.
        public var tlsHandshakesTimedOut: UInt64 = 0

        public init() {}
    }

    /// The transport's counters so far (all zero before `start()`).
    public func statistics() -> Statistics {
        runtime.withLock { $0.loop }?.statistics.withLock { $0 } ?? Statistics()
    }
}
