/// One anomaly event as `/alerts.json` and `/devices/{mac}.json` give it.
public struct AnomalySummary: Equatable, Sendable {
    /// Unix seconds.
    public var time: Double
    public var severity: String
    public var kind: String
    public var mac: String?
    public var summary: String

    public init(time: Double, severity: String, kind: String, mac: String?, summary: String) {
        self.time = time
        self.severity = severity
        self.kind = kind
        self.mac = mac
        self.summary = summary
    }

    /// Decodes `/alerts.json`, newest first.
    public static func decodeList(_ bytes: [UInt8]) throws(TopError) -> [AnomalySummary] {
        try decode(JSONValue.parse(bytes))
    }

    static func decode(_ value: JSONValue) -> [AnomalySummary] {
        value.array.compactMap { e in
            guard let time = e["time"].string.flatMap(RFC3339.seconds) else { return nil }
            return AnomalySummary(
                time: time, severity: e["severity"].string ?? "?", kind: e["kind"].string ?? "?",
                mac: e["mac"].string, summary: e["summary"].string ?? "")
        }.sorted { $0.time > $1.time }
    }
}
