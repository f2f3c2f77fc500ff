import HTTPServer
import History
import LanscopeCore
import Logging

extension ServiceRoutes {
    /// How far back `/devices/{mac}/history.json` reaches without `?since=` (24 h).
    static let defaultHistoryWindow = Duration.seconds(86_400)

    /// `/devices/{mac}/history.json?since=24h`: the device's traffic samples starting within the window
    /// (raw where kept, then hourly and daily; at most `HistoryStore.defaultSampleLimit`, the newest)
    /// and its latest presence spans. 404 for a device history has never stored; 503 without history.
    func deviceHistory(_ request: HTTPRequest, mac text: String) -> HTTPResponse {
        guard let mac = MACAddress(text) else { return badRequest("malformed MAC address: expected aa:bb:cc:dd:ee:ff") }
        var window: Duration? = nil
        for (name, value) in request.query {
            guard name == "since" else { return badRequest("unknown parameter \"\(name)\"; parameters: since") }
            guard window == nil else { return badRequest("parameter \"since\" given more than once") }
            do { window = try DurationParser.parse(value) } catch { return badRequest(error.description) }
        }
        guard let history else { return errorJSON("running without a history database", status: .serviceUnavailable) }
        // DurationParser refuses anything a Timestamp cannot hold, so this subtraction cannot wrap.
        let since = clock.now() - (window ?? Self.defaultHistoryWindow)
        do {
            guard try history.device(mac) != nil else { return notFound("no device \(mac) in history") }
            let samples = try history.samples(for: mac, since: since)
            let presence = try history.presence(for: mac)
            return .json(HistoryRendering.historyJSON(mac: mac, since: since, samples: samples, presence: presence))
        } catch {
            // A database that could not be opened yet (it is retried): unavailable, not a failure.
            if !history.isOpen { return errorJSON("history database not open: \(error)", status: .serviceUnavailable) }
            logger.error("reading a device's history failed", metadata: ["mac": "\(mac)", "error": "\(error)"])
            return errorJSON("history unavailable: \(error)", status: .internalServerError)
        }
    }
}
