import Exposition
import HTTPServer

/// Requests the HTTP server answered, by route and status code.
struct HTTPCollector: ScrapeCollector {
    let name = "http"
    let counters: ServiceCounters

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        var http = MetricFamilyBuilder(
            name: "lanscope_http_requests", help: "HTTP requests served, by route and status code.", type: .counter,
            labelNames: ["route", "code"])
        for (key, n) in counters.httpRequests().sorted(by: { $0.key < $1.key }) {
            http.add(key.route, String(key.code), value: Double(n))
        }
        let transport = counters.httpTransport()
        var rejected = labelledFamily(
            "lanscope_http_connections_rejected", "Connections answered 503 and closed at accept, by the limit hit.",
            .counter, 2, label: "reason")
        rejected.add("capacity", value: Double(transport.connectionsRejectedAtCapacity))
        rejected.add("per_address", value: Double(transport.connectionsRejectedPerAddress))
        var closed = labelledFamily(
            "lanscope_http_connections_closed", "Connections closed by the server to protect itself, by reason.",
            .counter, 2, label: "reason")
        closed.add("memory_budget", value: Double(transport.connectionsClosedMemoryBudget))
        closed.add("send_stall", value: Double(transport.connectionsClosedSendStall))
        // Zero without TLS; with it, failures show clients refused (no client certificate, another CA, an
        // old protocol version) that the client's side alone would report.
        var handshakes = labelledFamily(
            "lanscope_http_tls_handshakes", "TLS handshakes, by result (completed, failed, timed_out).", .counter, 3,
            label: "result")
        handshakes.add("completed", value: Double(transport.tlsHandshakesCompleted))
        handshakes.add("failed", value: Double(transport.tlsHandshakesFailed))
        handshakes.add("timed_out", value: Double(transport.tlsHandshakesTimedOut))
        let renders = counters.scrapeRenders()
        return [
            http.build(), rejected.build(), closed.build(), handshakes.build(),
            singleSample(
                "lanscope_http_connections_open", "HTTP connections open.", .gauge, Double(transport.openConnections)),
            singleSample(
                "lanscope_http_pending_response_bytes",
                "Bytes held by responses waiting to be sent (a body shared by several responses counted once).", .gauge,
                Double(transport.pendingResponseBytes)),
            singleSample(
                "lanscope_http_memory_trims",
                "Times free memory was returned to the kernel after a burst of responses.",
                .counter, Double(transport.memoryTrims)),
            singleSample(
                "lanscope_http_scrape_renders", "/metrics bodies rendered.", .counter, Double(renders.renders)),
            singleSample(
                "lanscope_http_scrape_renders_shared", "/metrics responses that shared a render already in progress.",
                .counter, Double(renders.shared)),
        ]
    }
}
