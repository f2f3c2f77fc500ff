public import LanscopeCore

extension HistoryStore {
    /// Every stored device, sorted by MAC, with addresses, services, hostnames, software,
    /// protocols, DHCP fingerprint, vendor and traffic summed over all captures.
    public func devices() throws(HistoryError) -> [Device] {
        try locked { () throws(HistoryError) in try loadDevices(mac: nil) }
    }

    /// One device with everything attached to it. Every stored address is read: for a device that
    /// may have been flooded with addresses, `deviceDetail(_:addressLimit:evidenceLimit:)` reads
    /// only what it returns.
    public func device(_ mac: MACAddress) throws(HistoryError) -> Device? {
        try locked { () throws(HistoryError) in try loadDevices(mac: mac).first }
    }

    /// The most evidence rows `evidence(for:)` returns unless told otherwise: what
    /// `/devices/{mac}.json` shows (500).
    public static let defaultEvidenceLimit = 500

    /// Evidence rows for one device, sorted by kind, source and value, at most `limit` of them (all
    /// when `nil`; default `defaultEvidenceLimit`). The limit is applied in SQL along the primary
    /// key, so a device with hundreds of thousands of rows costs what is returned, not what is stored.
    public func evidence(for mac: MACAddress, limit: Int? = HistoryStore.defaultEvidenceLimit) throws(HistoryError)
        -> [EvidenceRecord]
    {
        try locked { () throws(HistoryError) in try loadEvidence(mac: mac, limit: limit) }
    }

    /// Up to `limit` evidence rows for one device (as `evidence(for:limit:)`), with how many rows
    /// of each kind are stored, so a caller can say how many were left out.
    public func evidencePage(for mac: MACAddress, limit: Int = HistoryStore.defaultEvidenceLimit) throws(HistoryError)
        -> EvidencePage
    {
        try locked { () throws(HistoryError) in
            EvidencePage(records: try loadEvidence(mac: mac, limit: limit), totals: try evidenceTotals(mac: mac))
        }
    }

    /// One device as `lanscope device` shows it, read in one go under the lock: the device with its
    /// `addressLimit` most recently seen addresses (default 256), how many addresses are stored,
    /// and an evidence page of at most `evidenceLimit` rows (default `defaultEvidenceLimit`).
    public func deviceDetail(
        _ mac: MACAddress, addressLimit: Int = 256, evidenceLimit: Int = HistoryStore.defaultEvidenceLimit
    ) throws(HistoryError) -> StoredDeviceDetail? {
        try locked { () throws(HistoryError) in
            guard let device = try loadDevices(mac: mac, addressLimit: addressLimit).first else { return nil }
            var addresses = 0
            try prepared("SELECT count(*) FROM addresses WHERE mac = ?1").query([.text(mac.description)]) {
                row throws(HistoryError) in addresses = Int(row.integer(0))
            }
            let evidence = EvidencePage(
                records: try loadEvidence(mac: mac, limit: evidenceLimit), totals: try evidenceTotals(mac: mac))
            return StoredDeviceDetail(device: device, addressesStored: addresses, evidence: evidence)
        }
    }

    private func loadEvidence(mac: MACAddress, limit: Int?) throws(HistoryError) -> [EvidenceRecord] {
        var records: [EvidenceRecord] = []
        // A negative LIMIT means no limit in SQLite.
        let limitValue = limit.map { Int64(max(0, $0)) } ?? -1
        try prepared(
            """
            SELECT kind, source, value, first_seen, last_seen, count FROM evidence WHERE mac = ?1
            ORDER BY kind, source, value LIMIT ?2
            """
        ).query([.text(mac.description), .integer(limitValue)]) { row throws(HistoryError) in
            guard let kind = EvidenceKind(rawValue: row.text(0)) else {
                throw .invalidStoredValue(table: "evidence", column: "kind")
            }
            guard let source = DiscoveryProtocol(rawValue: row.text(1)) else {
                throw .invalidStoredValue(table: "evidence", column: "source")
            }
            records.append(
                EvidenceRecord(
                    kind: kind, source: source, value: row.text(2),
                    firstSeen: Timestamp(nanoseconds: row.integer(3)),
                    lastSeen: Timestamp(nanoseconds: row.integer(4)), count: Int(row.integer(5))))
        }
        return records
    }

    /// Stored evidence rows by kind: counted along the primary key's (mac, kind) prefix, nothing
    /// materialised.
    private func evidenceTotals(mac: MACAddress) throws(HistoryError) -> [EvidenceKind: Int] {
        var totals: [EvidenceKind: Int] = [:]
        try prepared("SELECT kind, count(*) FROM evidence WHERE mac = ?1 GROUP BY kind").query([.text(mac.description)])
        {
            row throws(HistoryError) in
            guard let kind = EvidenceKind(rawValue: row.text(0)) else {
                throw .invalidStoredValue(table: "evidence", column: "kind")
            }
            totals[kind] = Int(row.integer(1))
        }
        return totals
    }

    /// Anomaly events at or after `since` (all when `nil`), newest first, at most `limit` of them
    /// (all when `nil`).
    /// A device's identity changes (classification included), newest first, at most `limit`.
    public func identityChanges(for mac: MACAddress, limit: Int = 100) throws(HistoryError) -> [InventoryChange] {
        try locked { () throws(HistoryError) in
            var changes: [InventoryChange] = []
            try prepared(
                """
                SELECT time, field, from_value, to_value FROM identity_changes WHERE mac = ?1
                ORDER BY time DESC, field LIMIT ?2
                """
            ).query([.text(mac.description), .integer(Int64(max(0, limit)))]) { row throws(HistoryError) in
                guard let field = IdentityField(rawValue: row.text(1)) else {
                    throw .invalidStoredValue(table: "identity_changes", column: "field")
                }
                changes.append(
                    .identityChanged(
                        mac, field: field, from: row.optionalText(2), to: row.text(3),
                        time: Timestamp(nanoseconds: row.integer(0))))
            }
            return changes
        }
    }

    public func anomalies(since: Timestamp?, limit: Int?) throws(HistoryError) -> [AnomalyEvent] {
        try locked { () throws(HistoryError) in
            var events: [AnomalyEvent] = []
            // A negative LIMIT means no limit in SQLite.
            let limitValue = limit.map { Int64(max(0, $0)) } ?? -1
            try prepared(
                """
                SELECT time, kind, severity, mac, summary, details, related_macs, end_time FROM anomalies WHERE time >= ?1
                ORDER BY time DESC, id DESC LIMIT ?2
                """
            ).query([.integer(since?.nanoseconds ?? Int64.min), .integer(limitValue)]) { row throws(HistoryError) in
                guard let kind = AnomalyKind(rawValue: row.text(1)) else {
                    throw .invalidStoredValue(table: "anomalies", column: "kind")
                }
                guard let severity = Severity(rawValue: row.text(2)) else {
                    throw .invalidStoredValue(table: "anomalies", column: "severity")
                }
                var mac: MACAddress?
                if let text = row.optionalText(3) {
                    guard let parsed = MACAddress(text) else {
                        throw .invalidStoredValue(table: "anomalies", column: "mac")
                    }
                    mac = parsed
                }
                guard let details = StoredJSON.decodeDetails(row.text(5)) else {
                    throw .invalidStoredValue(table: "anomalies", column: "details")
                }
                var related: [MACAddress] = []
                for text in row.text(6).split(separator: " ") {
                    guard let parsed = MACAddress(text) else {
                        throw .invalidStoredValue(table: "anomalies", column: "related_macs")
                    }
                    related.append(parsed)
                }
                events.append(
                    AnomalyEvent(
                        time: Timestamp(nanoseconds: row.integer(0)), kind: kind, severity: severity, mac: mac,
                        summary: row.text(4), details: details, relatedMACs: related,
                        endTime: row.optionalInteger(7).map(Timestamp.init(nanoseconds:))))
            }
            return events
        }
    }

    /// Ingested capture sources, oldest ingestion first.
    public func captures() throws(HistoryError) -> [CaptureRecord] {
        try locked { () throws(HistoryError) in
            var records: [CaptureRecord] = []
            try prepared(
                """
                SELECT capture_key, source, first_packet, last_packet, packets, ingested_at FROM captures
                ORDER BY ingested_at, capture_key
                """
            ).query { row throws(HistoryError) in
                records.append(
                    CaptureRecord(
                        captureKey: row.text(0), source: row.text(1),
                        firstPacket: row.optionalInteger(2).map(Timestamp.init(nanoseconds:)),
                        lastPacket: row.optionalInteger(3).map(Timestamp.init(nanoseconds:)), packets: row.counter(4),
                        ingestedAt: Timestamp(nanoseconds: row.integer(5))))
            }
            return records
        }
    }

    /// The newest `last_seen` over every stored device (`nil`: no device). Read commands measure
    /// presence from it when the data came from replayed captures (`DeviceRendering.Presence.reference`).
    public func newestDeviceSighting() throws(HistoryError) -> Timestamp? {
        try locked { () throws(HistoryError) in
            var newest: Timestamp?
            try prepared("SELECT MAX(last_seen) FROM devices").query { row throws(HistoryError) in
                newest = row.optionalInteger(0).map(Timestamp.init(nanoseconds:))
            }
            return newest
        }
    }

    func prepared(_ sql: String) throws(HistoryError) -> Statement {
        do throws(SQLiteError) { return try database.statement(sql) } catch { throw .sqlite(error) }
    }

    /// Loads devices (one when `mac` is given) and everything attached to them. One query per
    /// table rather than per device, joined in memory by MAC.
    ///
    /// `addressLimit` (only with `mac`): the most recently seen addresses to read, in SQL.
    private func loadDevices(mac: MACAddress?, addressLimit: Int? = nil) throws(HistoryError) -> [Device] {
        let filter = mac == nil ? "" : " WHERE mac = ?1"
        let binds: [SQLiteValue] = mac.map { [.text($0.description)] } ?? []
        var devices: [Device] = []
        var indexByMAC: [String: Int] = [:]

        try prepared(
            """
            SELECT mac, first_seen, last_seen, hostname, hostname_source, vendor, is_dhcp_server, dhcp_message_type,
                dhcp_parameter_request_list, dhcp_vendor_class, dhcp_client_id_hex, dhcp_max_message_size,
                dhcp_requested_address, classification
            FROM devices\(filter) ORDER BY mac
            """
        ).query(binds) { row throws(HistoryError) in
            let macText = row.text(0)
            guard let parsed = MACAddress(macText) else { throw .invalidStoredValue(table: "devices", column: "mac") }
            var device = Device(
                mac: parsed, firstSeen: Timestamp(nanoseconds: row.integer(1)),
                lastSeen: Timestamp(nanoseconds: row.integer(2)))
            device.hostname = row.optionalText(3)
            if let source = row.optionalText(4) {
                guard let value = DiscoveryProtocol(rawValue: source) else {
                    throw .invalidStoredValue(table: "devices", column: "hostname_source")
                }
                device.hostnameSource = value
            }
            device.vendor = row.optionalText(5)
            device.isDHCPServer = row.bool(6)
            if let messageType = row.optionalInteger(7) {
                device.dhcp = try Self.fingerprint(row: row, messageType: messageType)
            }
            if let stored = row.optionalText(13) {
                guard let classification = StoredJSON.decodeClassification(stored) else {
                    throw .invalidStoredValue(table: "devices", column: "classification")
                }
                device.classification = classification
            }
            indexByMAC[macText] = devices.count
            devices.append(device)
        }
        guard !devices.isEmpty else { return [] }

        let addressQuery =
            mac != nil && addressLimit != nil
            ? "SELECT mac, ip, source, first_seen, last_seen FROM addresses\(filter) ORDER BY last_seen DESC, ip LIMIT ?2"
            : "SELECT mac, ip, source, first_seen, last_seen FROM addresses\(filter)"
        let addressBinds = addressLimit.map { binds + [.integer(Int64(max(0, $0)))] } ?? binds
        try prepared(addressQuery).query(mac != nil ? addressBinds : binds) {
            row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let ip = IPAddress(row.text(1)) else { throw .invalidStoredValue(table: "addresses", column: "ip") }
            guard let source = DiscoveryProtocol(rawValue: row.text(2)) else {
                throw .invalidStoredValue(table: "addresses", column: "source")
            }
            devices[index].addresses[ip] = AddressRecord(
                firstSeen: Timestamp(nanoseconds: row.integer(3)), lastSeen: Timestamp(nanoseconds: row.integer(4)),
                source: source)
        }

        try prepared("SELECT mac, source, name FROM hostnames\(filter)").query(binds) { row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let source = DiscoveryProtocol(rawValue: row.text(1)) else {
                throw .invalidStoredValue(table: "hostnames", column: "source")
            }
            devices[index].hostnames[source] = row.text(2)
        }

        try prepared("SELECT mac, source, value FROM software\(filter)").query(binds) { row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let source = DiscoveryProtocol(rawValue: row.text(1)) else {
                throw .invalidStoredValue(table: "software", column: "source")
            }
            devices[index].software[source] = row.text(2)
        }

        try prepared("SELECT mac, protocol FROM protocols\(filter)").query(binds) { row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let proto = DiscoveryProtocol(rawValue: row.text(1)) else {
                throw .invalidStoredValue(table: "protocols", column: "protocol")
            }
            devices[index].protocols.insert(proto)
        }

        try prepared("SELECT mac, role FROM dhcp_server_roles\(filter)").query(binds) { row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let role = DHCPServerRole(rawValue: row.text(1)) else {
                throw .invalidStoredValue(table: "dhcp_server_roles", column: "role")
            }
            devices[index].dhcpServerRoles.insert(role)
        }

        try prepared("SELECT mac, via, type, name, port, txt, location, server FROM services\(filter)").query(binds) {
            row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let via = DiscoveryProtocol(rawValue: row.text(1)) else {
                throw .invalidStoredValue(table: "services", column: "via")
            }
            var port: UInt16?
            if let stored = row.optionalInteger(4) {
                guard let value = UInt16(exactly: stored) else {
                    throw .invalidStoredValue(table: "services", column: "port")
                }
                port = value
            }
            guard let txt = StoredJSON.decodeTXT(row.text(5)) else {
                throw .invalidStoredValue(table: "services", column: "txt")
            }
            devices[index].services.insert(
                ServiceAdvertisement(
                    via: via, type: row.text(2), name: row.optionalText(3), port: port, txt: txt,
                    location: row.optionalText(6), server: row.optionalText(7)))
        }

        try prepared(
            """
            SELECT mac, transmitted_packets, transmitted_bytes, received_packets, received_bytes FROM traffic\(filter)
            """
        ).query(binds) { row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            var counters = TrafficCounters()
            counters.transmittedPackets = row.counter(1)
            counters.transmittedBytes = row.counter(2)
            counters.receivedPackets = row.counter(3)
            counters.receivedBytes = row.counter(4)
            devices[index].traffic.add(counters)
        }

        try prepared("SELECT mac, direction, family, protocol, packets, bytes FROM traffic_classes\(filter)").query(
            binds
        ) {
            row throws(HistoryError) in
            guard let index = indexByMAC[row.text(0)] else { return }
            guard let direction = TrafficDirection(rawValue: row.text(1)), let family = IPFamily(rawValue: row.text(2)),
                let l4 = L4Protocol(rawValue: row.text(3))
            else {
                throw .invalidStoredValue(table: "traffic_classes", column: "direction/family/protocol")
            }
            devices[index].traffic.byClass[TrafficClass(direction: direction, family: family, l4: l4), default: .init()]
                .add(PacketByteCount(packets: row.counter(4), bytes: row.counter(5)))
        }
        return devices
    }

    private static func fingerprint(row: Statement.Row, messageType: Int64) throws(HistoryError)
        -> DHCPClientFingerprint
    {
        guard let type = UInt8(exactly: messageType) else {
            throw .invalidStoredValue(table: "devices", column: "dhcp_message_type")
        }
        var list: [UInt8] = []
        for part in row.text(8).split(separator: ",") {
            guard let option = UInt8(part) else {
                throw .invalidStoredValue(table: "devices", column: "dhcp_parameter_request_list")
            }
            list.append(option)
        }
        var clientID: [UInt8]?
        if let hex = row.optionalText(10) {
            guard let decoded = Hex.bytes(hex) else {
                throw .invalidStoredValue(table: "devices", column: "dhcp_client_id_hex")
            }
            clientID = decoded
        }
        var maxSize: UInt16?
        if let stored = row.optionalInteger(11) {
            guard let value = UInt16(exactly: stored) else {
                throw .invalidStoredValue(table: "devices", column: "dhcp_max_message_size")
            }
            maxSize = value
        }
        var requested: IPv4Address?
        if let text = row.optionalText(12) {
            guard let value = IPv4Address(text) else {
                throw .invalidStoredValue(table: "devices", column: "dhcp_requested_address")
            }
            requested = value
        }
        return DHCPClientFingerprint(
            messageType: type, parameterRequestList: list, vendorClass: row.optionalText(9),
            clientIdentifier: clientID, maxMessageSize: maxSize, requestedAddress: requested)
    }
}
