public import LanscopeCore

/// A device seen within a time range (`HistoryStore.devicesSeen(from:to:)`).
public struct DeviceSighting: Sendable, Hashable {
    public var mac: MACAddress
    /// The earliest and latest sighting that falls within the range asked for.
    public var first: Timestamp
    public var last: Timestamp

    public init(mac: MACAddress, first: Timestamp, last: Timestamp) {
        self.mac = mac
        self.first = first
        self.last = last
    }
}

extension HistoryStore {
    /// The most samples `samples(for:since:limit:)` returns unless told otherwise (a day of raw
    /// 10-second samples: 8,640).
    public static let defaultSampleLimit = 8_640

    /// One device's traffic samples starting at or after `since` (all when nil), every tier (older
    /// periods are only kept coarser), oldest first; at most `limit` of them, the newest ones.
    public func samples(for mac: MACAddress, since: Timestamp?, limit: Int = HistoryStore.defaultSampleLimit)
        throws(HistoryError) -> [TrafficSample]
    {
        try locked { () throws(HistoryError) in
            var samples: [TrafficSample] = []
            try prepared(
                """
                SELECT tier, start, seconds, transmitted_bytes, transmitted_packets, received_bytes, received_packets
                FROM traffic_samples WHERE mac = ?1 AND start >= ?2 ORDER BY start DESC, tier LIMIT ?3
                """
            ).query([.text(mac.description), .integer(since?.nanoseconds ?? Int64.min), .integer(Int64(max(0, limit)))])
            {
                row throws(HistoryError) in
                guard let tier = TrafficSample.Tier(rawValue: Int(row.integer(0))) else {
                    throw .invalidStoredValue(table: "traffic_samples", column: "tier")
                }
                samples.append(
                    TrafficSample(
                        mac: mac, tier: tier, start: Timestamp(nanoseconds: row.integer(1)), seconds: row.integer(2),
                        transmittedBytes: row.counter(3), transmittedPackets: row.counter(4),
                        receivedBytes: row.counter(5), receivedPackets: row.counter(6)))
            }
            return samples.reversed()
        }
    }

    /// Every device's samples starting at or after `since`, sorted by MAC then start, at most `limit`
    /// (the first ones in that order; `truncated` says whether more were stored): what `lanscope export
    /// --since` writes.
    public func allSamples(since: Timestamp, limit: Int = 2_000_000) throws(HistoryError)
        -> (samples: [TrafficSample], truncated: Bool)
    {
        try locked { () throws(HistoryError) in
            var samples: [TrafficSample] = []
            var truncated = false
            try prepared(
                """
                SELECT mac, tier, start, seconds, transmitted_bytes, transmitted_packets, received_bytes,
                    received_packets
                FROM traffic_samples WHERE start >= ?1 ORDER BY mac, start, tier LIMIT ?2
                """
            ).query([.integer(since.nanoseconds), .integer(Int64(max(0, limit)) + 1)]) { row throws(HistoryError) in
                guard samples.count < limit else {
                    truncated = true
                    return
                }
                guard let mac = MACAddress(row.text(0)), let tier = TrafficSample.Tier(rawValue: Int(row.integer(1)))
                else { throw .invalidStoredValue(table: "traffic_samples", column: "mac") }
                samples.append(
                    TrafficSample(
                        mac: mac, tier: tier, start: Timestamp(nanoseconds: row.integer(2)), seconds: row.integer(3),
                        transmittedBytes: row.counter(4), transmittedPackets: row.counter(5),
                        receivedBytes: row.counter(6), receivedPackets: row.counter(7)))
            }
            return (samples, truncated)
        }
    }

    /// One device's traffic per UTC day (every tier summed), oldest first, days starting at or after
    /// `since` (all when nil), at most `limit` days (the newest).
    public func dailyTraffic(for mac: MACAddress, since: Timestamp?, limit: Int = 366) throws(HistoryError)
        -> [TrafficSample]
    {
        try locked { () throws(HistoryError) in
            var days: [TrafficSample] = []
            let day: Int64 = 86_400 * 1_000_000_000
            try prepared(
                """
                SELECT start - (start % ?2) AS day, sum(transmitted_bytes), sum(transmitted_packets),
                    sum(received_bytes), sum(received_packets)
                FROM traffic_samples WHERE mac = ?1 AND start >= ?3 GROUP BY day ORDER BY day DESC LIMIT ?4
                """
            ).query([
                .text(mac.description), .integer(day), .integer(since?.nanoseconds ?? Int64.min),
                .integer(Int64(max(0, limit))),
            ]) { row throws(HistoryError) in
                days.append(
                    TrafficSample(
                        mac: mac, tier: .daily, start: Timestamp(nanoseconds: row.integer(0)), seconds: 86_400,
                        transmittedBytes: row.counter(1), transmittedPackets: row.counter(2),
                        receivedBytes: row.counter(3), receivedPackets: row.counter(4)))
            }
            return days.reversed()
        }
    }

    /// One device's presence spans, newest first, at most `limit`.
    public func presence(for mac: MACAddress, limit: Int = 100) throws(HistoryError) -> [PresenceSpan] {
        try locked { () throws(HistoryError) in
            var spans: [PresenceSpan] = []
            try prepared("SELECT start, end FROM presence WHERE mac = ?1 ORDER BY start DESC LIMIT ?2").query([
                .text(mac.description), .integer(Int64(max(0, limit))),
            ]) { row throws(HistoryError) in
                spans.append(
                    PresenceSpan(
                        mac: mac, start: Timestamp(nanoseconds: row.integer(0)),
                        end: Timestamp(nanoseconds: row.integer(1))))
            }
            return spans
        }
    }

    /// Devices seen between `from` and `to` (inclusive), sorted by MAC: a presence span overlapping
    /// the range, or — for devices with no span (history written by replays, or before presence was
    /// recorded) — a first or last sighting inside it. `first`/`last` are clipped to the range.
    public func devicesSeen(from: Timestamp, to: Timestamp) throws(HistoryError) -> [DeviceSighting] {
        try locked { () throws(HistoryError) in
            var seen: [DeviceSighting] = []
            try prepared(
                """
                SELECT mac, max(min(start), ?1), min(max(end), ?2) FROM (
                    SELECT mac, start, end FROM presence WHERE start <= ?2 AND end >= ?1
                    UNION ALL
                    SELECT mac, first_seen, first_seen FROM devices
                    WHERE first_seen BETWEEN ?1 AND ?2 AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.mac = devices.mac)
                    UNION ALL
                    SELECT mac, last_seen, last_seen FROM devices
                    WHERE last_seen BETWEEN ?1 AND ?2 AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.mac = devices.mac)
                ) GROUP BY mac ORDER BY mac
                """
            ).query([.integer(from.nanoseconds), .integer(to.nanoseconds)]) { row throws(HistoryError) in
                guard let mac = MACAddress(row.text(0)) else {
                    throw .invalidStoredValue(table: "presence", column: "mac")
                }
                seen.append(
                    DeviceSighting(
                        mac: mac, first: Timestamp(nanoseconds: row.integer(1)),
                        last: Timestamp(nanoseconds: row.integer(2))))
            }
            return seen
        }
    }
}
