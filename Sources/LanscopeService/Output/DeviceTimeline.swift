import History
import LanscopeCore

/// What `lanscope device` adds from live history: when the device was present, which addresses it
/// held and when, and its traffic per day.
public struct DeviceTimeline: Sendable {
    /// Newest first.
    public var presence: [PresenceSpan]
    /// Per UTC day, oldest first.
    public var dailyTraffic: [TrafficSample]

    public init(presence: [PresenceSpan], dailyTraffic: [TrafficSample]) {
        self.presence = presence
        self.dailyTraffic = dailyTraffic
    }

    /// The device's addresses by when they were first held (oldest first), with first and last sighting.
    static func addressRows(_ device: Device) -> [[String]] {
        device.addresses.sorted { ($0.value.firstSeen, $0.key.description) < ($1.value.firstSeen, $1.key.description) }
            .map {
                [$0.key.description, $0.value.source.rawValue, $0.value.firstSeen.rfc3339, $0.value.lastSeen.rfc3339]
            }
    }

    func text(device: Device) -> String {
        var out = ""
        let addresses = Self.addressRows(device)
        if !addresses.isEmpty {
            out += "\naddresses over time:\n"
            out += TerminalText.table(
                header: ["ADDRESS", "SOURCE", "FIRST SEEN", "LAST SEEN"], rows: addresses, maxWidth: 48)
        }
        if !presence.isEmpty {
            out += "\npresence (newest first):\n"
            out += TerminalText.table(
                header: ["FROM", "TO", "FOR"],
                rows: presence.map { [$0.start.rfc3339, $0.end.rfc3339, Self.span($0.end - $0.start)] })
        }
        if !dailyTraffic.isEmpty {
            out += "\ntraffic per day (UTC):\n"
            out += TerminalText.table(
                header: ["DAY", "TX BYTES", "TX PKTS", "RX BYTES", "RX PKTS"],
                rows: dailyTraffic.map {
                    [
                        String($0.start.rfc3339.prefix(10)), String($0.transmittedBytes), String($0.transmittedPackets),
                        String($0.receivedBytes), String($0.receivedPackets),
                    ]
                })
        }
        return out
    }

    func writeJSON(device: Device, into w: inout JSONWriter) {
        w.key("presence"); w.beginArray()
        for span in presence { HistoryRendering.writeJSON(span, into: &w) }
        w.endArray()
        w.key("addresses_over_time"); w.beginArray()
        for row in Self.addressRows(device) {
            w.beginObject()
            w.field("ip", row[0]); w.field("source", row[1]); w.field("first_seen", row[2]);
            w.field("last_seen", row[3])
            w.endObject()
        }
        w.endArray()
        w.key("traffic_per_day"); w.beginArray()
        for day in dailyTraffic { HistoryRendering.writeJSON(day, into: &w) }
        w.endArray()
    }

    /// `1h02m`, `3m10s`, `12s`.
    static func span(_ duration: Duration) -> String {
        let seconds = max(0, duration.components.seconds)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if seconds >= 86_400 { return "\(seconds / 86_400)d\(two((seconds % 86_400) / 3_600))h" }
        if seconds >= 3_600 { return "\(seconds / 3_600)h\(two((seconds % 3_600) / 60))m" }
        if seconds >= 60 { return "\(seconds / 60)m\(two(seconds % 60))s" }
        return "\(seconds)s"
    }
}
