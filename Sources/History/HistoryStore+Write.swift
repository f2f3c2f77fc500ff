import LanscopeCore

extension HistoryStore {
    /// Stores a batch in one transaction; nothing of it is stored if any part fails.
    ///
    /// Merge rules, so that writing the same batch again (replaying a capture) changes nothing:
    /// - device: `first_seen` = min, `last_seen` = max; hostname, vendor and DHCP fingerprint are
    ///   taken from the incoming device when it has one and is at least as recent as the stored row;
    ///   `is_dhcp_server` only ever turns on; the classification is the incoming device's when it has
    ///   one (the classifier's latest conclusion), else the stored one; addresses, services,
    ///   hostnames-by-source, software, protocols and DHCP server roles are unioned (per key, the more
    ///   recent value wins);
    /// - evidence: one row per (MAC, kind, source, value); `count` grows only for an observation
    ///   outside the stored first/last window, so a replay of the same observations leaves it as is
    ///   (an observation inside the window is taken as already counted);
    /// - anomalies: one row per (time, kind, MAC, summary);
    /// - traffic: the counters for (MAC, capture key) replace the stored ones; a device's total is
    ///   the sum over capture keys;
    /// - samples are added to the stored sample with the same (MAC, tier, start); a presence span
    ///   extends the device's latest one when it starts within `presenceGap` of its end.
    ///
    /// Device cap: once the store holds `configuration.maxDevices` devices, everything the batch
    /// carries about a device not yet stored is left out (the rest of the batch is stored) and the
    /// device is counted in `devicesRejected`. Devices are admitted in the batch's order: its
    /// `devices` first, then the MACs of its observations by time, then its traffic's, then its
    /// presence spans' and samples' MACs.
    public func write(_ batch: HistoryBatch) throws(HistoryError) {
        if !batch.traffic.isEmpty && batch.capture == nil { throw .trafficWithoutCapture }
        try locked { () throws(HistoryError) in
            // The write puts every parent row in place before its children (devices, then what
            // hangs off them; a capture before its traffic; a device row for any MAC the batch's
            // devices leave out) and deletes no parent row, so SQLite's per-row parent lookup would
            // only repeat that (~10 % of a replay's final write). Tests check
            // `foreignKeyViolations()` stays 0 after every kind of write.
            let rejectedCount = try database.transaction(checkingForeignKeys: false) { () throws(HistoryError) -> Int in
                // The grouped facts' devices, from their keys alone (their times are read only for a
                // device the batch's device rows leave out: none, in a replay).
                var groupedDevices = batch.factTimes.devicesWithTimes
                let refused = try admit(batch, groupedDevices: groupedDevices)
                var admitted = batch
                if !refused.isEmpty {
                    admitted.devices.removeAll { refused.contains($0.mac) }
                    admitted.observations.removeAll { refused.contains($0.mac) }
                    admitted.factTimes = ExcludingDevices(base: admitted.factTimes, excluded: refused)
                    groupedDevices.subtract(refused)
                    admitted.traffic = admitted.traffic.filter { !refused.contains($0.key) }
                    admitted.changes.removeAll { refused.contains($0.mac) }
                    admitted.samples.removeAll { refused.contains($0.mac) }
                    admitted.presence.removeAll { refused.contains($0.mac) }
                }
                // Grouped while the device rows are written (the evidence rows need those first).
                let evidenceRows = EvidenceRowsAhead(
                    admitted.observations, factTimes: admitted.factTimes, threaded: groupsEvidenceAhead)
                lastWriteGroupedEvidenceAhead = evidenceRows.isThreaded
                do throws(SQLiteError) {
                    try writeDevices(admitted.devices)
                    let batchDevices = Set(admitted.devices.map(\.mac))
                    try writeObservations(
                        admitted.observations, factTimes: admitted.factTimes, groupedDevices: groupedDevices,
                        knownDevices: batchDevices, rows: evidenceRows)
                    try writeChanges(admitted.changes, knownDevices: batchDevices)
                    try writeAnomalies(admitted.anomalies)
                    if let capture = admitted.capture {
                        let isNew = try writeCapture(capture)
                        try writeTraffic(admitted.traffic, captureKey: capture.captureKey, newCapture: isNew)
                    }
                    try writeSamples(admitted.samples, presence: admitted.presence)
                } catch {
                    throw .sqlite(error)
                }
                return refused.count
            }
            // Counted only once the transaction committed: a failed write refused nothing.
            countRejected(rejectedCount)
        }
    }

    /// Which of the batch's devices would be new rows beyond the cap. The count is read inside the
    /// write transaction, so another process writing meanwhile is taken into account; the lookups
    /// by primary key run only when the batch could reach the cap.
    /// `groupedDevices`: `batch.factTimes.devicesWithTimes`.
    private func admit(_ batch: HistoryBatch, groupedDevices: Set<MACAddress>) throws(HistoryError) -> Set<MACAddress> {
        var order: [MACAddress] = []
        var seen: Set<MACAddress> = []
        for device in batch.devices where seen.insert(device.mac).inserted { order.append(device.mac) }
        let groupedOnly = groupedDevices.subtracting(seen)
        if !groupedOnly.isEmpty || batch.observations.contains(where: { !seen.contains($0.mac) }) {
            // By each MAC's earliest observation: the order a time sort of every observation gives,
            // without sorting them all.
            var earliest: [MACAddress: Timestamp] = [:]
            for observation in batch.observations where !seen.contains(observation.mac) {
                earliest[observation.mac] = Swift.min(earliest[observation.mac] ?? observation.time, observation.time)
            }
            if !groupedOnly.isEmpty {
                batch.factTimes.forEachGroup { mac, _, times in
                    guard groupedOnly.contains(mac), let first = times.min() else { return }
                    earliest[mac] = Swift.min(earliest[mac] ?? first, first)
                }
            }
            for (mac, _) in earliest.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
                seen.insert(mac)
                order.append(mac)
            }
        }
        for mac in batch.traffic.keys.sorted() where seen.insert(mac).inserted { order.append(mac) }
        for span in batch.presence where seen.insert(span.mac).inserted { order.append(span.mac) }
        for sample in batch.samples where seen.insert(sample.mac).inserted { order.append(sample.mac) }
        guard !order.isEmpty else { return [] }

        var stored = 0
        try prepared("SELECT count(*) FROM devices").query { row throws(HistoryError) in stored = Int(row.integer(0)) }
        let limit = max(0, configuration.maxDevices)
        guard stored + order.count > limit else { return [] }

        let exists = try prepared("SELECT 1 FROM devices WHERE mac = ?1")
        var refused: Set<MACAddress> = []
        for mac in order {
            var found = false
            try exists.query([.text(mac.description)]) { _ throws(HistoryError) in found = true }
            if found { continue }
            if stored < limit { stored += 1 } else { refused.insert(mac) }
        }
        return refused
    }

    private func writeDevices(_ devices: [Device]) throws(SQLiteError) {
        guard !devices.isEmpty else { return }
        let upsertDevice = try database.statement(Self.upsertDeviceSQL)
        let upsertAddress = try database.statement(
            """
            INSERT INTO addresses (mac, ip, version, source, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (mac, ip) DO UPDATE SET
                source = CASE WHEN excluded.last_seen >= addresses.last_seen
                    THEN excluded.source ELSE addresses.source END,
                first_seen = min(addresses.first_seen, excluded.first_seen),
                last_seen = max(addresses.last_seen, excluded.last_seen)
            """)
        let upsertHostname = try database.statement(
            """
            INSERT INTO hostnames (mac, source, name, last_seen) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (mac, source) DO UPDATE SET
                name = CASE WHEN excluded.last_seen >= hostnames.last_seen THEN excluded.name ELSE hostnames.name END,
                last_seen = max(hostnames.last_seen, excluded.last_seen)
            """)
        let upsertSoftware = try database.statement(
            """
            INSERT INTO software (mac, source, value, last_seen) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (mac, source) DO UPDATE SET
                value = CASE WHEN excluded.last_seen >= software.last_seen THEN excluded.value ELSE software.value END,
                last_seen = max(software.last_seen, excluded.last_seen)
            """)
        let insertProtocol = try database.statement(
            "INSERT INTO protocols (mac, protocol) VALUES (?1, ?2) ON CONFLICT (mac, protocol) DO NOTHING")
        let insertDHCPServerRole = try database.statement(
            "INSERT INTO dhcp_server_roles (mac, role) VALUES (?1, ?2) ON CONFLICT (mac, role) DO NOTHING")
        let upsertService = try database.statement(
            """
            INSERT INTO services (mac, via, type, name, port, txt, location, server, first_seen, last_seen)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT (mac, via, type, ifnull(name, X''), ifnull(port, -1)) DO UPDATE SET
                txt = CASE WHEN excluded.last_seen >= services.last_seen THEN excluded.txt ELSE services.txt END,
                location = CASE WHEN excluded.last_seen >= services.last_seen
                    THEN excluded.location ELSE services.location END,
                server = CASE WHEN excluded.last_seen >= services.last_seen
                    THEN excluded.server ELSE services.server END,
                first_seen = min(services.first_seen, excluded.first_seen),
                last_seen = max(services.last_seen, excluded.last_seen)
            """)

        for device in devices {
            let mac = SQLiteValue.text(device.mac.description)
            let lastSeen = SQLiteValue.integer(device.lastSeen.nanoseconds)
            let dhcp = device.dhcp
            try upsertDevice.run([
                mac,
                .integer(device.firstSeen.nanoseconds),
                lastSeen,
                .optionalText(device.hostname),
                .optionalText(device.hostname.flatMap { _ in device.hostnameSource?.rawValue }),
                .optionalText(device.vendor),
                .bool(device.isLocallyAdministered),
                .bool(device.isDHCPServer),
                .optionalInteger(dhcp?.messageType),
                .optionalText(dhcp?.parameterRequestListText),
                .optionalText(dhcp?.vendorClass),
                .optionalText(dhcp?.clientIdentifier.map { Hex.string($0) }),
                .optionalInteger(dhcp?.maxMessageSize),
                .optionalText(dhcp?.requestedAddress?.description),
                .optionalText(device.classification.map { StoredJSON.encode(classification: $0) }),
            ])
            for (ip, record) in device.addresses {
                try upsertAddress.run([
                    mac, .text(ip.description), .integer(Int64(ip.version)), .text(record.source.rawValue),
                    .integer(record.firstSeen.nanoseconds), .integer(record.lastSeen.nanoseconds),
                ])
            }
            for (source, name) in device.hostnames {
                try upsertHostname.run([mac, .text(source.rawValue), .text(name), lastSeen])
            }
            for (source, value) in device.software {
                try upsertSoftware.run([mac, .text(source.rawValue), .text(value), lastSeen])
            }
            for proto in device.protocols {
                try insertProtocol.run([mac, .text(proto.rawValue)])
            }
            for role in device.dhcpServerRoles.sorted() {
                try insertDHCPServerRole.run([mac, .text(role.rawValue)])
            }
            for service in device.services {
                try upsertService.run([
                    mac, .text(service.via.rawValue), .text(service.type), .optionalText(service.name),
                    .optionalInteger(service.port), .text(StoredJSON.encode(txt: service.txt)),
                    .optionalText(service.location), .optionalText(service.server),
                    .integer(device.firstSeen.nanoseconds), lastSeen,
                ])
            }
        }
    }

    /// Newer-wins for a field group: the incoming value when present and the incoming device is at
    /// least as recent as the stored row (`devices.last_seen` is the stored value here).
    private static func newerWins(_ column: String, presentWhen condition: String) -> String {
        "\(column) = CASE WHEN \(condition) AND (devices.\(column) IS NULL OR excluded.last_seen >= devices.last_seen) "
            + "THEN excluded.\(column) ELSE devices.\(column) END"
    }

    /// Creates a device row with only its sighting window, or widens an existing row's window to include
    /// it (?1 mac, ?2 first seen, ?3 last seen, ?4 locally administered): for facts about a MAC whose full
    /// row is not part of the batch.
    static let widenDeviceSQL = """
        INSERT INTO devices (mac, first_seen, last_seen, locally_administered) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (mac) DO UPDATE SET
            first_seen = min(devices.first_seen, excluded.first_seen),
            last_seen = max(devices.last_seen, excluded.last_seen)
        """

    private static let upsertDeviceSQL: String = {
        let hostname = "excluded.hostname IS NOT NULL"
        let dhcp = "excluded.dhcp_message_type IS NOT NULL"
        // The fingerprint columns move together: all taken from the same message, or none.
        let dhcpCondition = "\(dhcp) AND (devices.dhcp_message_type IS NULL OR excluded.last_seen >= devices.last_seen)"
        let dhcpColumns = [
            "dhcp_message_type", "dhcp_parameter_request_list", "dhcp_vendor_class", "dhcp_client_id_hex",
            "dhcp_max_message_size", "dhcp_requested_address",
        ].map { "\($0) = CASE WHEN \(dhcpCondition) THEN excluded.\($0) ELSE devices.\($0) END" }
        let hostnameCondition = "\(hostname) AND (devices.hostname IS NULL OR excluded.last_seen >= devices.last_seen)"
        let updates =
            [
                "first_seen = min(devices.first_seen, excluded.first_seen)",
                "last_seen = max(devices.last_seen, excluded.last_seen)",
                "hostname = CASE WHEN \(hostnameCondition) THEN excluded.hostname ELSE devices.hostname END",
                "hostname_source = CASE WHEN \(hostnameCondition) THEN excluded.hostname_source "
                    + "ELSE devices.hostname_source END",
                newerWins("vendor", presentWhen: "excluded.vendor IS NOT NULL"),
                "locally_administered = excluded.locally_administered",
                "is_dhcp_server = max(devices.is_dhcp_server, excluded.is_dhcp_server)",
                // The classifier's latest conclusion replaces the stored one; a device without one keeps it.
                "classification = ifnull(excluded.classification, devices.classification)",
            ] + dhcpColumns
        return """
            INSERT INTO devices (mac, first_seen, last_seen, hostname, hostname_source, vendor, locally_administered,
                is_dhcp_server, dhcp_message_type, dhcp_parameter_request_list, dhcp_vendor_class, dhcp_client_id_hex,
                dhcp_max_message_size, dhcp_requested_address, classification)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            ON CONFLICT (mac) DO UPDATE SET
            """ + "\n    " + updates.joined(separator: ",\n    ")
    }()

    private func writeObservations(
        _ observations: [Observation], factTimes: any GroupedFacts, groupedDevices: Set<MACAddress>,
        knownDevices: Set<MACAddress>, rows: EvidenceRowsAhead
    ) throws(SQLiteError) {
        guard !observations.isEmpty || !groupedDevices.isEmpty else { return }
        // Evidence belongs to a device row; an observation about a MAC the batch's devices did not
        // include still creates (or widens) one. MACs among the batch's devices already have theirs.
        let ensureDevice = try database.statement(Self.widenDeviceSQL)
        let upsertEvidence = try database.statement(
            """
            INSERT INTO evidence (mac, kind, source, value, first_seen, last_seen, count)
            VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)
            ON CONFLICT (mac, kind, source, value) DO UPDATE SET
                count = evidence.count
                    + (excluded.first_seen < evidence.first_seen OR excluded.last_seen > evidence.last_seen),
                first_seen = min(evidence.first_seen, excluded.first_seen),
                last_seen = max(evidence.last_seen, excluded.last_seen)
            """)
        // Widened at most once per MAC and batch (to the batch's earliest and latest observation).
        var window: [MACAddress: (first: Timestamp, last: Timestamp)] = [:]
        for observation in observations where !knownDevices.contains(observation.mac) {
            let time = observation.time
            if let current = window[observation.mac] {
                window[observation.mac] = (min(current.first, time), max(current.last, time))
            } else {
                window[observation.mac] = (time, time)
            }
        }
        let groupedOnly = groupedDevices.subtracting(knownDevices)
        if !groupedOnly.isEmpty {
            factTimes.forEachGroup { mac, _, times in
                guard groupedOnly.contains(mac), let first = times.min(), let last = times.max() else { return }
                if let current = window[mac] {
                    window[mac] = (min(current.first, first), max(current.last, last))
                } else {
                    window[mac] = (first, last)
                }
            }
        }
        for (mac, span) in window {
            try ensureDevice.run([
                .text(mac.description), .integer(span.first.nanoseconds), .integer(span.last.nanoseconds),
                .bool(mac.isLocallyAdministered),
            ])
        }
        // One write per evidence row, with the count the observations would have reached one at a
        // time in time order (a repeat counts when it widens the window): callers hand over sets
        // (unordered), and ordering by time makes the count the same on every run.
        let readEvidence = try database.statement(
            "SELECT first_seen, last_seen, count FROM evidence WHERE mac = ?1 AND kind = ?2 AND source = ?3 AND value = ?4"
        )
        let insertEvidence = try database.statement(
            """
            INSERT INTO evidence (mac, kind, source, value, first_seen, last_seen, count)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (mac, kind, source, value) DO NOTHING
            """)
        let updateEvidence = try database.statement(
            """
            UPDATE evidence SET first_seen = ?5, last_seen = ?6, count = ?7
            WHERE mac = ?1 AND kind = ?2 AND source = ?3 AND value = ?4
            """)
        let byDevice = rows.take()
        // Rows come by MAC: its text is built once per device, not once per row.
        var macText: (mac: MACAddress, text: SQLiteValue)?
        for (row, times) in byDevice {
            guard let earliest = times.first, let latest = times.last else { continue }
            if macText?.mac != row.mac { macText = (row.mac, .text(row.mac.description)) }
            // One array per row: the key's four values, then the row's own (no concatenated copies).
            var values: [SQLiteValue] = []
            values.reserveCapacity(7)
            values += [macText!.text, .text(row.kind.rawValue), .text(row.source.rawValue), .text(row.value)]
            if times.count == 1 {
                values.append(.integer(earliest))
                try upsertEvidence.run(values)
                continue
            }
            // A new row (the common case in a replay) is one insert; an existing one is read first.
            values += [.integer(earliest), .integer(latest), .integer(Int64(times.count))]
            try insertEvidence.run(values)
            if database.changes == 1 { continue }
            let key = Array(values.prefix(4))
            var stored: (first: Int64, last: Int64, count: Int64)?
            try readEvidence.rows(key) { row in stored = (row.integer(0), row.integer(1), row.integer(2)) }
            let count = EvidenceTimes.count(stored: stored, times: times)
            let window: [SQLiteValue] = [
                .integer(min(stored?.first ?? earliest, earliest)), .integer(max(stored?.last ?? latest, latest)),
                .integer(count),
            ]
            try updateEvidence.run(key + window)
        }
    }

    private func writeAnomalies(_ anomalies: [AnomalyEvent]) throws(SQLiteError) {
        guard !anomalies.isEmpty else { return }
        let insert = try database.statement(
            """
            INSERT INTO anomalies (time, kind, severity, mac, summary, details, related_macs, end_time)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT DO NOTHING
            """)
        for event in anomalies {
            try insert.run([
                .integer(event.time.nanoseconds), .text(event.kind.rawValue), .text(event.severity.rawValue),
                .optionalText(event.mac?.description), .text(event.summary),
                .text(StoredJSON.encode(details: event.details)),
                .text(event.relatedMACs.map(\.description).joined(separator: " ")),
                event.endTime.map { .integer($0.nanoseconds) } ?? .null,
            ])
        }
    }

    /// Identity changes, once each; a change about a device with no row (refused or never stored) is skipped.
    /// `knownDevices`: MACs whose rows this batch wrote, so they exist without a lookup.
    private func writeChanges(_ changes: [InventoryChange], knownDevices: Set<MACAddress>) throws(SQLiteError) {
        let identity = changes.compactMap { change -> (MACAddress, IdentityField, String?, String, Timestamp)? in
            guard case .identityChanged(let mac, let field, let from, let to, let time) = change else { return nil }
            return (mac, field, from, to, time)
        }
        guard !identity.isEmpty else { return }
        let insertIfStored = try database.statement(
            """
            INSERT INTO identity_changes (mac, time, field, from_value, to_value)
            SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM devices WHERE mac = ?1)
            ON CONFLICT DO NOTHING
            """)
        // For a device whose row this batch wrote the lookup is known to succeed: the plain insert
        // skips it (a quarter of the statement's cost; a replay's changes are all of this kind).
        let insertKnown = try database.statement(
            """
            INSERT INTO identity_changes (mac, time, field, from_value, to_value) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT DO NOTHING
            """)
        // A device's changes mostly come together (a reclassification changes several fields at once).
        var macText: (mac: MACAddress, text: SQLiteValue, known: Bool)?
        for (mac, field, from, to, time) in identity {
            if macText?.mac != mac { macText = (mac, .text(mac.description), knownDevices.contains(mac)) }
            try (macText!.known ? insertKnown : insertIfStored).run([
                macText!.text, .integer(time.nanoseconds), .text(field.rawValue), .optionalText(from), .text(to),
            ])
        }
    }

    /// Stores or updates the capture's row; true when it was not stored before.
    private func writeCapture(_ capture: CaptureRecord) throws(SQLiteError) -> Bool {
        var stored = false
        try database.statement("SELECT 1 FROM captures WHERE capture_key = ?1").rows([.text(capture.captureKey)]) { _ in
            stored = true
        }
        try database.statement(
            """
            INSERT INTO captures (capture_key, source, first_packet, last_packet, packets, ingested_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (capture_key) DO UPDATE SET
                source = excluded.source,
                first_packet = excluded.first_packet,
                last_packet = excluded.last_packet,
                packets = excluded.packets,
                ingested_at = min(captures.ingested_at, excluded.ingested_at)
            """
        ).run([
            .text(capture.captureKey), .text(capture.source), .optionalInteger(capture.firstPacket?.nanoseconds),
            .optionalInteger(capture.lastPacket?.nanoseconds), .counter(capture.packets),
            .integer(capture.ingestedAt.nanoseconds),
        ])
        return !stored
    }

    /// `newCapture`: the capture's row did not exist before this batch, so no traffic rows of it can
    /// (the foreign key): there are no stored classes to clear.
    private func writeTraffic(
        _ traffic: [MACAddress: TrafficCounters], captureKey: String, newCapture: Bool
    ) throws(SQLiteError) {
        guard !traffic.isEmpty else { return }
        let upsert = try database.statement(
            """
            INSERT INTO traffic (mac, capture_key, transmitted_packets, transmitted_bytes, received_packets,
                received_bytes)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (mac, capture_key) DO UPDATE SET
                transmitted_packets = excluded.transmitted_packets,
                transmitted_bytes = excluded.transmitted_bytes,
                received_packets = excluded.received_packets,
                received_bytes = excluded.received_bytes
            """)
        let clearClasses = try database.statement("DELETE FROM traffic_classes WHERE mac = ?1 AND capture_key = ?2")
        let insertClass = try database.statement(
            """
            INSERT INTO traffic_classes (mac, capture_key, direction, family, protocol, packets, bytes)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
        let key = SQLiteValue.text(captureKey)
        for (mac, counters) in traffic {
            let macText = SQLiteValue.text(mac.description)
            try upsert.run([
                macText, key, .counter(counters.transmittedPackets), .counter(counters.transmittedBytes),
                .counter(counters.receivedPackets), .counter(counters.receivedBytes),
            ])
            if !newCapture { try clearClasses.run([macText, key]) }
            for (trafficClass, count) in counters.byClass {
                try insertClass.run([
                    macText, key, .text(trafficClass.direction.rawValue), .text(trafficClass.family.rawValue),
                    .text(trafficClass.l4.rawValue), .counter(count.packets), .counter(count.bytes),
                ])
            }
        }
    }
}
