import Synchronization

/// Counters owned by the service around the pipeline: HTTP requests, history writes.
public final class ServiceCounters: Sendable {
    public struct RouteCode: Hashable, Sendable, Comparable {
        public var route: String
        public var code: Int
        public static func < (a: RouteCode, b: RouteCode) -> Bool { (a.route, a.code) < (b.route, b.code) }
    }

    public struct Store: Sendable {
        public var writes: UInt64 = 0
        public var errors: UInt64 = 0
        /// Batches refused because the writer queue was full (the capture path never waits on disk).
        public var droppedBatches: UInt64 = 0
    }

    private let http = Mutex([RouteCode: UInt64]())
    private let store = Mutex(Store())

    public init() {}

    public func countRequest(route: String, code: Int) {
        http.withLock { $0[RouteCode(route: route, code: code), default: 0] &+= 1 }
    }

    public func httpRequests() -> [RouteCode: UInt64] { http.withLock { $0 } }

    public func updateStore(_ body: (inout Store) -> Void) { store.withLock { body(&$0) } }
    public func storeCounters() -> Store { store.withLock { $0 } }
}
