import LanscopeCore

extension HistoryStore {
    /// Live samples and presence spans, inside `write`'s transaction. A device with no row yet gets a
    /// minimal one (its sightings' window), so every sample belongs to a stored device and the
    /// device cap applies to samples as to everything else.
    func writeSamples(_ samples: [TrafficSample], presence: [PresenceSpan]) throws(SQLiteError) {
        guard !samples.isEmpty || !presence.isEmpty else { return }
        var window: [MACAddress: (first: Timestamp, last: Timestamp)] = [:]
        func widen(_ mac: MACAddress, _ first: Timestamp, _ last: Timestamp) {
            if let current = window[mac] {
                window[mac] = (min(current.first, first), max(current.last, last))
            } else {
                window[mac] = (first, last)
            }
        }
        for span in presence { widen(span.mac, span.start, span.end) }
        let withSpans = Set(presence.map(\.mac))
        for sample in samples where window[sample.mac] == nil { widen(sample.mac, sample.start, sample.start) }
        let ensureDevice = try database.statement(Self.widenDeviceSQL)
        // A sample alone only needs its device row to exist; presence spans also move the stored
        // first/last sighting (they arrive at most once a minute per device, samples every interval).
        let ensureExists = try database.statement(
            """
            INSERT INTO devices (mac, first_seen, last_seen, locally_administered) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (mac) DO NOTHING
            """)
        for (mac, span) in window {
            try (withSpans.contains(mac) ? ensureDevice : ensureExists).run([
                .text(mac.description), .integer(span.first.nanoseconds), .integer(span.last.nanoseconds),
                .bool(mac.isLocallyAdministered),
            ])
        }
        try writePresence(presence)
        guard !samples.isEmpty else { return }
        let upsert = try database.statement(Self.addSampleSQL)
        for sample in samples where !sample.isEmpty {
            try upsert.run([
                .text(sample.mac.description), .integer(Int64(sample.tier.rawValue)),
                .integer(sample.start.nanoseconds),
                .integer(sample.seconds), .counter(sample.transmittedBytes), .counter(sample.transmittedPackets),
                .counter(sample.receivedBytes), .counter(sample.receivedPackets),
            ])
        }
    }

    /// Adds to the stored sample with the same key (a restart within an interval, or retention folding
    /// finer samples into a coarser one).
    static let addSampleSQL = """
        INSERT INTO traffic_samples (mac, tier, start, seconds, transmitted_bytes, transmitted_packets,
            received_bytes, received_packets)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (mac, tier, start) DO UPDATE SET
            seconds = max(traffic_samples.seconds, excluded.seconds),
            transmitted_bytes = traffic_samples.transmitted_bytes + excluded.transmitted_bytes,
            transmitted_packets = traffic_samples.transmitted_packets + excluded.transmitted_packets,
            received_bytes = traffic_samples.received_bytes + excluded.received_bytes,
            received_packets = traffic_samples.received_packets + excluded.received_packets
        """

    private func writePresence(_ spans: [PresenceSpan]) throws(SQLiteError) {
        guard !spans.isEmpty else { return }
        let gap = configuration.presenceGap
        // The device's latest span, extended when the new sighting starts within the gap of its end.
        let extend = try database.statement(
            """
            UPDATE presence SET end = max(end, ?3)
            WHERE mac = ?1 AND start = (SELECT max(start) FROM presence WHERE mac = ?1) AND end >= ?2
            """)
        let insert = try database.statement(
            """
            INSERT INTO presence (mac, start, end) VALUES (?1, ?2, ?3)
            ON CONFLICT (mac, start) DO UPDATE SET end = max(presence.end, excluded.end)
            """)
        for span in spans {
            let mac = SQLiteValue.text(span.mac.description)
            try extend.run([mac, .integer((span.start - gap).nanoseconds), .integer(span.end.nanoseconds)])
            if database.changes == 0 {
                try insert.run([mac, .integer(span.start.nanoseconds), .integer(span.end.nanoseconds)])
            }
        }
    }
}
