import Exposition
import HTTPServer
import History
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging

/// The HTTP API: `/metrics`, `/devices.json`, `/devices/{mac}.json`, `/devices/{mac}/history.json`,
/// `/alerts.json`, `/sd/devices.json`, `/`, `/-/healthy`, `/-/ready`. Handlers only read snapshots.
public struct ServiceRoutes: Sendable {
    public let collector: MetricsCollector
    public let pipeline: Pipeline
    public let history: HistoryStore?
    public let clock: any Clock
    public let readiness: @Sendable () -> Bool
    public let logger: Logger
    /// One `/metrics` render per variant for every scrape that arrives while it is being made.
    let scrapes = SharedRender<ScrapeVariant, ScrapeBody>()

    /// What distinguishes one `/metrics` body from another: the negotiated format and encoding.
    struct ScrapeVariant: Hashable, Sendable {
        let contentType: String
        let gzip: Bool
    }

    struct ScrapeBody: Sendable {
        let bytes: [UInt8]
        let gzipped: Bool
    }

    /// `/metrics` renders made, and scrapes served a render another scrape was already making (for
    /// export as e.g. `lanscope_http_scrape_renders_total` / `…_shared_total`).
    public var scrapeRenders: (renders: UInt64, shared: UInt64) {
        let statistics = scrapes.statistics
        return (statistics.renders, statistics.shared)
    }

    public init(
        collector: MetricsCollector, pipeline: Pipeline, history: HistoryStore?, clock: any Clock,
        readiness: @escaping @Sendable () -> Bool, logger: Logger = Logger(label: "lanscope.http")
    ) {
        self.collector = collector
        self.pipeline = pipeline
        self.history = history
        self.clock = clock
        self.readiness = readiness
        self.logger = logger
    }

    public func makeRouter() -> HTTPRouter {
        let router = HTTPRouter()
        let routes = self
        // Scrapes go ahead of JSON requests, with a worker of their own (HTTPServer reservedWorkerThreads).
        router.get("/metrics", name: "/metrics", prioritized: true) { request, _ in routes.metrics(request) }
        router.get("/devices.json", name: "/devices.json") { request, _ in routes.devices(request) }
        router.get("/devices/{mac}.json", name: "/devices/{mac}.json") { request, parameters in
            routes.device(request, mac: parameters["mac"] ?? "")
        }
        router.get("/devices/{mac}/history.json", name: "/devices/{mac}/history.json") { request, parameters in
            routes.deviceHistory(request, mac: parameters["mac"] ?? "")
        }
        router.get("/alerts.json", name: "/alerts.json") { request, _ in routes.alerts(request) }
        router.get("/sd/devices.json", name: "/sd/devices.json") { request, _ in routes.serviceDiscovery(request) }
        router.get("/", name: "/") { _, _ in .html(ServiceRoutes.landingPage) }
        // Probes answer on the event loop itself: constant-time, never blocking, polled often.
        router.get("/-/healthy", name: "/-/healthy", requiresAuthentication: false, runsOnEventLoop: true) { _, _ in
            .text("OK\n")
        }
        router.get("/-/ready", name: "/-/ready", requiresAuthentication: false, runsOnEventLoop: true) { _, _ in
            routes.readiness() ? .text("OK\n") : .text("not ready: capture starting\n", status: .serviceUnavailable)
        }
        return router
    }

    func metrics(_ request: HTTPRequest) -> HTTPResponse {
        let format = ExpositionFormat.negotiate(accept: request.headers["accept"])
        let gzip = Gzip.accepts(acceptEncoding: request.headers["accept-encoding"])
        let body = scrapes.value(for: ScrapeVariant(contentType: format.contentType, gzip: gzip)) {
            let text = ExpositionEncoder.encode(collector.collect(), format: format)
            // Level 1: an exposition is repetitive enough that it still shrinks ~10×, at a third of level 6's time.
            if gzip, let compressed = try? Gzip.compress(text, level: 1) {
                return ScrapeBody(bytes: compressed, gzipped: true)
            }
            return ScrapeBody(bytes: text, gzipped: false)
        }
        var response = HTTPResponse(status: .ok, body: body.bytes)
        response.headers.add(name: "Content-Type", value: format.contentType)
        response.headers.add(name: "Vary", value: "Accept, Accept-Encoding")
        if body.gzipped { response.headers.add(name: "Content-Encoding", value: "gzip") }
        return response
    }

    func devices(_ request: HTTPRequest) -> HTTPResponse {
        let query: DeviceQuery
        switch DeviceQuery.parse(request.query) {
        case .success(let parsed): query = parsed
        case .failure(let error): return badRequest(error.message)
        }
        // Read in place from the registry's storage (no Device copies), like /metrics.
        let view = collector.exportedOrder()
        let presence = DeviceRendering.Presence(now: clock.now(), window: collector.configuration.presenceWindow)
        var selected = matching(query, in: view, presence: presence)
        // Pagination after filtering: `X-Total-Count` says how many matched.
        let matched = selected.count
        selected = Array(selected.dropFirst(query.offset ?? 0).prefix(query.limit ?? matched))
        // About 1.8 KB a device with classification evidence and client signals: reserved once, so a large
        // inventory's body is not copied as the buffer grows.
        var w = JSONWriter(reserve: (query.summary ? 400 : 2048) * max(selected.count, 1))
        w.beginArray()
        view.devices.withUnsafeBufferPointer { devices in
            for i in selected {
                var traffic: TrafficCounters? = nil
                var lastSeen: Timestamp? = nil
                if let backend = view.backend {
                    let k = view.backendRow(i)
                    traffic = k.map { backend.totals(at: $0) } ?? TrafficCounters()
                    lastSeen = k.map { backend.lastSeen[$0] }
                }
                if query.summary {
                    DeviceSummaryRendering.writeJSON(
                        devices[i], presence: presence, into: &w, traffic: traffic, lastSeen: lastSeen)
                } else {
                    DeviceRendering.writeJSON(
                        at: devices.baseAddress! + i, presence: presence, into: &w, traffic: traffic,
                        lastSeen: lastSeen)
                }
            }
        }
        w.endArray()
        var response = HTTPResponse.json(w.bytes)
        response.headers.add(name: "X-Total-Count", value: String(matched))
        return response
    }

    /// Indices into `view.devices`, in MAC order, of every device in the inventory (not only those the
    /// /metrics export cap keeps) that passes `query`'s filters.
    private func matching(
        _ query: DeviceQuery, in view: MetricsCollector.ExportView, presence: DeviceRendering.Presence
    ) -> [Int] {
        guard query.hasFilters else { return view.all }
        return view.devices.withUnsafeBufferPointer { devices in
            view.all.filter { i in
                query.matches(devices[i], isOnline: { presence.isOnline(lastSeen: view.lastSeen(i)) })
            }
        }
    }

    func device(_ request: HTTPRequest, mac text: String) -> HTTPResponse {
        guard let mac = MACAddress(text) else { return badRequest("malformed MAC address: expected aa:bb:cc:dd:ee:ff") }
        guard let device = collector.exportedDevice(mac) else { return notFound("no device \(mac)") }
        let presence = DeviceRendering.Presence(now: clock.now(), window: collector.configuration.presenceWindow)
        var w = JSONWriter()
        w.beginObject()
        w.key("device"); DeviceRendering.writeJSON(device, presence: presence, into: &w)
        w.key("anomalies"); w.beginArray()
        for e in pipeline.recentAnomalies().filter({ $0.mac == mac }).prefix(100) {
            AnomalyRendering.writeJSON(e, into: &w)
        }
        w.endArray()
        var evidence: [EvidenceRecord] = []
        var historyError: String? = nil
        if let history {
            do {
                evidence = try history.evidence(for: mac)
            } catch {
                // The live device is still worth showing; the response and the log say what is missing.
                historyError = "history unavailable: \(error)"
                logger.error("reading a device's evidence failed", metadata: ["mac": "\(mac)", "error": "\(error)"])
            }
        }
        w.key("evidence"); w.beginArray()
        for e in evidence.prefix(500) {
            w.beginObject()
            w.field("kind", e.kind.rawValue); w.field("source", e.source.rawValue); w.field("value", e.value)
            w.field("first_seen", e.firstSeen.rfc3339); w.field("last_seen", e.lastSeen.rfc3339);
            w.field("count", e.count)
            w.endObject()
        }
        w.endArray()
        if let historyError { w.field("history_error", historyError) }
        w.endObject()
        return .json(w.bytes)
    }

    /// Prometheus HTTP service discovery: one target group per device with an address (see `ServiceDiscovery`).
    func serviceDiscovery(_ request: HTTPRequest) -> HTTPResponse {
        let query: ServiceDiscovery.Query
        switch ServiceDiscovery.Query.parse(request.query) {
        case .success(let parsed): query = parsed
        case .failure(let error): return badRequest(error.message)
        }
        let view = collector.exportedOrder()
        let presence = DeviceRendering.Presence(now: clock.now(), window: collector.configuration.presenceWindow)
        var omitted = 0
        var w = JSONWriter(reserve: 600 * max(view.all.count, 1))
        w.beginArray()
        view.devices.withUnsafeBufferPointer { devices in
            for i in matching(query.filters, in: view, presence: presence) {
                guard let address = ServiceDiscovery.probeAddress(devices[i]) else {
                    omitted += 1
                    continue
                }
                let online = presence.isOnline(lastSeen: view.lastSeen(i))
                ServiceDiscovery.writeGroup(devices[i], address: address, port: query.port, online: online, into: &w)
            }
        }
        w.endArray()
        var response = HTTPResponse.json(w.bytes)
        // Devices that matched but have no address a probe could use (only link-local IPv6, or none yet).
        response.headers.add(name: "X-Omitted-Count", value: String(omitted))
        return response
    }

    func alerts(_ request: HTTPRequest) -> HTTPResponse {
        var since: Timestamp? = nil
        for (name, value) in request.query {
            guard name == "since" else { return badRequest("unknown parameter \"\(name)\"; parameters: since") }
            guard since == nil else { return badRequest("parameter \"since\" given more than once") }
            // DurationParser refuses anything a Timestamp cannot hold, so this subtraction cannot wrap.
            do { since = clock.now() - (try DurationParser.parse(value)) } catch {
                return badRequest(error.description)
            }
        }
        return .json(AnomalyRendering.json(pipeline.recentAnomalies(since: since)))
    }

    func badRequest(_ message: String) -> HTTPResponse { errorJSON(message, status: .badRequest) }
    func notFound(_ message: String) -> HTTPResponse { errorJSON(message, status: .notFound) }

    func errorJSON(_ message: String, status: HTTPStatus) -> HTTPResponse {
        var w = JSONWriter()
        w.beginObject(); w.field("error", message); w.endObject()
        return .json(w.bytes, status: status)
    }

    static let landingPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>lanscope</title></head>
        <body>
        <h1>lanscope</h1>
        <p>Passive LAN monitor.</p>
        <ul>
        <li><a href="/metrics">/metrics</a> — Prometheus / OpenMetrics exposition</li>
        <li><a href="/devices.json">/devices.json</a> — every device (filters: <code>?online=true</code>, <code>?vendor=</code>, <code>?hostname=</code>, <code>?ip=</code>)</li>
        <li><code>/devices/{mac}.json</code> — one device with its evidence and events</li>
        <li><code>/devices/{mac}/history.json</code> — one device's traffic samples and presence spans (<code>?since=24h</code>)</li>
        <li><a href="/alerts.json">/alerts.json</a> — recent anomaly events (<code>?since=1h</code>)</li>
        <li><a href="/sd/devices.json">/sd/devices.json</a> — the devices as Prometheus HTTP service discovery targets (<code>?type=</code>, <code>?online=</code>, <code>?port=</code>)</li>
        <li><a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a></li>
        </ul>
        </body></html>

        """
}

extension ServiceRoutes {
    /// Answers one request in-process through the same router the server uses.
    public func handle(_ request: HTTPRequest) -> HTTPResponse { makeRouter().respond(to: request) }
}
