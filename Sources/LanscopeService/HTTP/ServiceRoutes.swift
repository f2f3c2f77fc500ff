import Exposition
import History
import HTTPServer
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging

/// The HTTP API: `/metrics`, `/devices.json`, `/devices/{mac}.json`, `/alerts.json`, `/`, `/-/healthy`,
/// `/-/ready`. Handlers only read snapshots.
public struct ServiceRoutes: Sendable {
    public let collector: MetricsCollector
    public let pipeline: Pipeline
    public let history: HistoryStore?
    public let clock: any Clock
    public let readiness: @Sendable () -> Bool
    public let logger: Logger

    public init(collector: MetricsCollector, pipeline: Pipeline, history: HistoryStore?, clock: any Clock,
                readiness: @escaping @Sendable () -> Bool, logger: Logger = Logger(label: "lanscope.http")) {
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
        router.get("/metrics", name: "/metrics") { request, _ in routes.metrics(request) }
        router.get("/devices.json", name: "/devices.json") { request, _ in routes.devices(request) }
        router.get("/devices/{mac}.json", name: "/devices/{mac}.json") { request, parameters in
            routes.device(request, mac: parameters["mac"] ?? "")
        }
        router.get("/alerts.json", name: "/alerts.json") { request, _ in routes.alerts(request) }
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
        var body = ExpositionEncoder.encode(collector.collect(), format: format)
        var response = HTTPResponse(status: .ok, body: [])
        response.headers.add(name: "Content-Type", value: format.contentType)
        response.headers.add(name: "Vary", value: "Accept, Accept-Encoding")
        // Level 1: an exposition is repetitive enough that it still shrinks ~10×, at a third of level 6's time.
        if Gzip.accepts(acceptEncoding: request.headers["accept-encoding"]), let compressed = try? Gzip.compress(body, level: 1) {
            body = compressed
            response.headers.add(name: "Content-Encoding", value: "gzip")
        }
        response.body = body
        return response
    }

    func devices(_ request: HTTPRequest) -> HTTPResponse {
        for (name, value) in request.query {
            switch name {
            case "online": if Bool(value) == nil { return badRequest("online must be true or false") }
            case "vendor", "hostname": break
            case "ip": if IPAddress(value) == nil { return badRequest("ip must be an IPv4 or IPv6 address") }
            case "type":
                if DeviceType(rawValue: value) == nil {
                    return badRequest("type must be one of: \(DeviceType.allCases.map(\.rawValue).sorted().joined(separator: ", "))")
                }
            case "limit", "offset":
                if Int(value).map({ $0 >= 0 }) != true { return badRequest("\(name) must be a non-negative integer") }
            default:
                return badRequest("unknown filter \"\(name)\"; filters: online, vendor, hostname, ip, type, limit, offset")
            }
        }
        // Read in place from the registry's storage (no Device copies), like /metrics.
        let view = collector.exportedOrder()
        let presence = DeviceRendering.Presence(now: clock.now(), window: collector.configuration.presenceWindow)
        // Every device in the inventory, not only those the /metrics export cap keeps.
        var selected = view.all
        view.devices.withUnsafeBufferPointer { devices in
            for (name, value) in request.query {
                switch name {
                case "online":
                    if let wanted = Bool(value) { selected = selected.filter { presence.isOnline(lastSeen: view.lastSeen($0)) == wanted } }
                case "vendor":
                    let needle = value.lowercased()
                    selected = selected.filter { devices[$0].vendor?.lowercased().contains(needle) ?? false }
                case "hostname":
                    let needle = value.lowercased()
                    selected = selected.filter { devices[$0].hostname?.lowercased().contains(needle) ?? false }
                case "ip":
                    if let ip = IPAddress(value) { selected = selected.filter { devices[$0].addresses[ip] != nil } }
                case "type":
                    if let type = DeviceType(rawValue: value) {
                        selected = selected.filter { (devices[$0].classification?.type.value ?? .unknown) == type }
                    }
                default:
                    break
                }
            }
        }
        // Pagination after filtering: `X-Total-Count` says how many matched.
        let matched = selected.count
        let offset = request.query.first { $0.0 == "offset" }.flatMap { Int($0.1) } ?? 0
        let limit = request.query.first { $0.0 == "limit" }.flatMap { Int($0.1) } ?? matched
        selected = Array(selected.dropFirst(offset).prefix(limit))
        var w = JSONWriter(reserve: 1100 * max(selected.count, 1))
        w.beginArray()
        view.devices.withUnsafeBufferPointer { devices in
            for i in selected {
                guard let backend = view.backend else {
                    DeviceRendering.writeJSON(devices[i], presence: presence, into: &w, traffic: nil, lastSeen: nil)
                    continue
                }
                let k = view.backendRow(i)
                DeviceRendering.writeJSON(devices[i], presence: presence, into: &w,
                                          traffic: k.map { backend.totals(at: $0) } ?? TrafficCounters(),
                                          lastSeen: k.map { backend.lastSeen[$0] })
            }
        }
        w.endArray()
        var response = HTTPResponse.json(w.bytes)
        response.headers.add(name: "X-Total-Count", value: String(matched))
        return response
    }

    func device(_ request: HTTPRequest, mac text: String) -> HTTPResponse {
        guard let mac = MACAddress(text) else { return badRequest("malformed MAC address: expected aa:bb:cc:dd:ee:ff") }
        guard let device = collector.exportedDevice(mac) else { return notFound("no device \(mac)") }
        let presence = DeviceRendering.Presence(now: clock.now(), window: collector.configuration.presenceWindow)
        var w = JSONWriter()
        w.beginObject()
        w.key("device"); DeviceRendering.writeJSON(device, presence: presence, into: &w)
        w.key("anomalies"); w.beginArray()
        for e in pipeline.recentAnomalies().filter({ $0.mac == mac }).prefix(100) { AnomalyRendering.writeJSON(e, into: &w) }
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
            w.field("first_seen", e.firstSeen.rfc3339); w.field("last_seen", e.lastSeen.rfc3339); w.field("count", e.count)
            w.endObject()
        }
        w.endArray()
        if let historyError { w.field("history_error", historyError) }
        w.endObject()
        return .json(w.bytes)
    }

    func alerts(_ request: HTTPRequest) -> HTTPResponse {
        var since: Timestamp? = nil
        for (name, value) in request.query {
            guard name == "since" else { return badRequest("unknown parameter \"\(name)\"; parameters: since") }
            do { since = clock.now() - (try DurationParser.parse(value)) } catch { return badRequest(error.description) }
        }
        return .json(AnomalyRendering.json(pipeline.recentAnomalies(since: since)))
    }

    private func badRequest(_ message: String) -> HTTPResponse { errorJSON(message, status: .badRequest) }
    private func notFound(_ message: String) -> HTTPResponse { errorJSON(message, status: .notFound) }

    private func errorJSON(_ message: String, status: HTTPStatus) -> HTTPResponse {
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
        <li><a href="/alerts.json">/alerts.json</a> — recent anomaly events (<code>?since=1h</code>)</li>
        <li><a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a></li>
        </ul>
        </body></html>

        """
}

extension ServiceRoutes {
    /// Answers one request in-process through the same router the server uses.
    public func handle(_ request: HTTPRequest) -> HTTPResponse { makeRouter().respond(to: request) }
}
