import Exposition

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
        return [http.build()]
    }
}
