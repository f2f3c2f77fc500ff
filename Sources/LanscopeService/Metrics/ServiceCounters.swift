import HTTPServer
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
    private let storeDevicesRejected = Mutex<(@Sendable () -> UInt64)?>(nil)
    private let transport = Mutex<(@Sendable () -> HTTPServer.Statistics)?>(nil)
    private let renders = Mutex<(@Sendable () -> (renders: UInt64, shared: UInt64))?>(nil)

    public init() {}

    public func countRequest(route: String, code: Int) {
        http.withLock { $0[RouteCode(route: route, code: code), default: 0] &+= 1 }
    }

    public func httpRequests() -> [RouteCode: UInt64] { http.withLock { $0 } }

    public func updateStore(_ body: (inout Store) -> Void) { store.withLock { body(&$0) } }
    public func storeCounters() -> Store { store.withLock { $0 } }

    /// Where `lanscope_store_devices_rejected_total` is read (the store's own lock-free counter).
    public func setStoreDevicesRejected(_ read: @escaping @Sendable () -> UInt64) {
        storeDevicesRejected.withLock { $0 = read }
    }
    public func storeDevicesRejectedCount() -> UInt64 { storeDevicesRejected.withLock { $0 }?() ?? 0 }

    /// Where the HTTP transport's counters are read (set when the server starts; zeros before).
    public func setHTTPTransport(_ read: @escaping @Sendable () -> HTTPServer.Statistics) {
        transport.withLock { $0 = read }
    }
    public func httpTransport() -> HTTPServer.Statistics { transport.withLock { $0 }?() ?? HTTPServer.Statistics() }

    /// Where the shared /metrics render counts are read.
    public func setScrapeRenders(_ read: @escaping @Sendable () -> (renders: UInt64, shared: UInt64)) {
        renders.withLock { $0 = read }
    }
    public func scrapeRenders() -> (renders: UInt64, shared: UInt64) { renders.withLock { $0 }?() ?? (0, 0) }
}
