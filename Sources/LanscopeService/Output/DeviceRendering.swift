import LanscopeCore

/// How a device is shown: JSON (`/devices.json`, `list --json`, `export --format json`), CSV and the
/// human table. Field names are the public contract: the device's address field is `mac`.
public enum DeviceRendering {
    /// Presence, the one definition of "online" that `/devices.json`, `/metrics` (`lanscope_devices`),
    /// `replay`'s summary, `list`, `device` and `export` share: a device is online when seen within
    /// `window` (default 5 minutes, `run --presence-window`) before `now`.
    public struct Presence: Sendable {
        /// 5 minutes: the default of `run --presence-window` and the read commands' window.
        public static let defaultWindow: Duration = .seconds(300)
        /// The instant presence is measured from (see `reference`).
        public var now: Timestamp
        public var window: Duration
        /// The current time, which relative times ("3 min ago") and `alerts --since` count from; for
        /// replayed data it is later than `now`.
        public var wallClock: Timestamp
        public init(now: Timestamp, window: Duration = Presence.defaultWindow, wallClock: Timestamp? = nil) {
            self.now = now
            self.window = window
            self.wallClock = wallClock ?? now
        }
        public func isOnline(_ d: Device) -> Bool { isOnline(lastSeen: d.lastSeen) }
        public func isOnline(lastSeen: Timestamp) -> Bool { lastSeen >= now - window }

        /// The instant presence is measured from. Replayed data has its own clock (as in `run --pcap`,
        /// whose clock is the newest packet): when no device was seen after the newest replayed packet,
        /// the data is the captures', and "now" is that packet's time — so `replay`'s summary and a
        /// `list` right after it agree on who was online. Otherwise (a live sensor's data) the wall clock.
        ///
        /// - Parameters:
        ///   - wallClock: the current time.
        ///   - newestReplayedPacket: the last packet of the newest replayed capture (`nil`: none).
        ///   - newestSighting: the newest `last_seen` of any device (`nil`: no device).
        public static func reference(
            wallClock: Timestamp, newestReplayedPacket: Timestamp?, newestSighting: Timestamp?
        ) -> Timestamp {
            guard let replayed = newestReplayedPacket else { return wallClock }
            guard let sighting = newestSighting else { return replayed }
            return sighting <= replayed ? replayed : wallClock
        }
    }

    /// `traffic` and `lastSeen` override the device's own (the eBPF backend's kernel counters).
    public static func writeJSON(
        _ d: Device, presence: Presence, into w: inout JSONWriter,
        traffic: TrafficCounters? = nil, lastSeen: Timestamp? = nil
    ) {
        withUnsafePointer(to: d) {
            writeJSON(at: $0, presence: presence, into: &w, traffic: traffic, lastSeen: lastSeen)
        }
    }

    /// `writeJSON` for a device read in place (e.g. in the registry snapshot's storage): each field is
    /// read where it lies, so a device is not copied — a copy retains and releases every buffer it holds,
    /// which was the largest single cost of a 10,000-device `/devices.json`.
    static func writeJSON(
        at d: UnsafePointer<Device>, presence: Presence, into w: inout JSONWriter,
        traffic: TrafficCounters? = nil, lastSeen: Timestamp? = nil
    ) {
        let seenAt = max(d.pointee.lastSeen, lastSeen ?? d.pointee.lastSeen)
        w.beginObject()
        w.key("mac"); w.ascii { d.pointee.mac.appendText(to: &$0) }
        w.field("vendor", d.pointee.vendor)
        w.field("locally_administered", d.pointee.isLocallyAdministered)
        w.field("hostname", d.pointee.hostname)
        w.field("hostname_source", d.pointee.hostnameSource?.rawValue)
        w.key("hostnames"); w.beginObject()
        for (via, name) in d.pointee.hostnames.sorted(by: { $0.key < $1.key }) {
            w.key(text: via.rawValue); w.string(name)
        }
        w.endObject()
        w.key("addresses"); w.beginArray()
        // Sorted pairs: no second lookup per address.
        for (ip, record) in d.pointee.addresses.sorted(by: { $0.key < $1.key }) {
            w.beginObject()
            w.key("ip"); w.ascii { ip.appendText(to: &$0) }
            w.field("version", ip.version)
            w.field("source", record.source.rawValue)
            w.field("first_seen", record.firstSeen)
            w.field("last_seen", record.lastSeen)
            w.endObject()
        }
        w.endArray()
        w.key("dhcp")
        if let dhcp = d.pointee.dhcp {
            w.beginObject()
            w.field("message_type", dhcp.messageType)
            w.key("parameter_request_list"); w.beginArray(); for o in dhcp.parameterRequestList { w.int(o) };
            w.endArray()
            w.field("vendor_class", dhcp.vendorClass)
            w.key("client_id"); writeHex(dhcp.clientIdentifier, into: &w)
            w.key("max_message_size"); if let m = dhcp.maxMessageSize { w.int(m) } else { w.null() }
            w.key("requested_address")
            if let requested = dhcp.requestedAddress { w.ascii { requested.appendText(to: &$0) } } else { w.null() }
            w.endObject()
        } else {
            w.null()
        }
        w.field("dhcp_server", d.pointee.isDHCPServer)
        w.key("dhcp_server_roles"); w.beginArray()
        for role in d.pointee.dhcpServerRoles.sorted() { w.string(role.rawValue) }
        w.endArray()
        w.key("services"); w.beginArray()
        for s in d.pointee.services.sorted() {
            w.beginObject()
            w.field("via", s.via.rawValue)
            w.field("type", s.type)
            w.field("name", s.name)
            w.key("port"); if let p = s.port { w.int(p) } else { w.null() }
            w.key("txt"); w.beginArray()
            for t in s.txt { w.beginObject(); w.field("key", t.key); w.field("value", t.value); w.endObject() }
            w.endArray()
            w.field("location", s.location)
            w.field("server", s.server)
            w.endObject()
        }
        w.endArray()
        w.key("software"); w.beginObject()
        for (via, text) in d.pointee.software.sorted(by: { $0.key < $1.key }) {
            w.key(text: via.rawValue); w.string(text)
        }
        w.endObject()
        writeSignals(at: d, into: &w)
        w.key("classification"); writeClassification(d.pointee.classification, into: &w)
        w.key("private_mac_link")
        if let link = d.pointee.privateMACLink {
            w.beginObject()
            w.key("mac"); w.ascii { link.mac.appendText(to: &$0) }
            w.key("confidence"); w.double(link.confidence)
            w.key("evidence"); writeEvidence(link.evidence, into: &w)
            w.endObject()
        } else {
            w.null()
        }
        // The device's few protocols sorted, rather than a set lookup for every protocol there is.
        w.key("protocols"); w.beginArray(); for p in d.pointee.protocols.sorted() { w.string(p.rawValue) }; w.endArray()
        w.field("first_seen", d.pointee.firstSeen)
        w.field("last_seen", seenAt)
        w.field("online", presence.isOnline(lastSeen: seenAt))
        w.key("counters"); writeCounters(traffic ?? d.pointee.traffic, into: &w)
        w.endObject()
    }

    /// `bytes` as a string of lowercase hex digits (what `Hex.string` spells), written in place; null
    /// when nil.
    static func writeHex(_ bytes: [UInt8]?, into w: inout JSONWriter) {
        guard let bytes else { return w.null() }
        w.ascii { out in
            for b in bytes {
                out.append(DeviceRendering.hexDigits[Int(b >> 4)])
                out.append(DeviceRendering.hexDigits[Int(b & 0xF)])
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `{"transmitted_packets": …, "transmitted_bytes": …, "received_packets": …, "received_bytes": …}`.
    static func writeCounters(_ counters: TrafficCounters, into w: inout JSONWriter) {
        w.beginObject()
        w.field("transmitted_packets", counters.transmittedPackets)
        w.field("transmitted_bytes", counters.transmittedBytes)
        w.field("received_packets", counters.receivedPackets)
        w.field("received_bytes", counters.receivedBytes)
        w.endObject()
    }

    /// Client signals behind identification: DHCPv6, TCP SYN signatures, JA4, User-Agents, names looked up,
    /// stated inventory. Sets are written sorted so output is deterministic.
    static func writeSignals(at d: UnsafePointer<Device>, into w: inout JSONWriter) {
        w.key("dhcpv6")
        if let v6 = d.pointee.dhcpv6 {
            w.beginObject()
            w.field("message_type", v6.messageType)
            w.key("duid"); writeHex(v6.duid, into: &w)
            w.key("option_request"); w.beginArray(); for o in v6.optionRequest { w.int(o) }; w.endArray()
            w.key("vendor_enterprise"); if let e = v6.vendorEnterprise { w.int(e) } else { w.null() }
            w.field("vendor_class", v6.vendorClass)
            w.field("fqdn", v6.fqdn)
            w.endObject()
        } else {
            w.null()
        }
        w.key("tcp_signatures"); w.beginArray();
        for s in d.pointee.tcpSignatures.map(\.signature).sorted() { w.string(s) };
        w.endArray()
        w.key("tls_fingerprints"); w.beginArray(); for s in d.pointee.tlsFingerprints.sorted() { w.string(s) };
        w.endArray()
        w.key("user_agents"); w.beginArray(); for s in d.pointee.userAgents.sorted() { w.string(s) }; w.endArray()
        w.key("destination_names"); w.beginArray(); for s in d.pointee.destinationNames.sorted() { w.string(s) };
        w.endArray()
        w.key("inventory"); w.beginObject()
        for (via, stated) in d.pointee.inventory.sorted(by: { $0.key < $1.key }) {
            w.key(text: via.rawValue); w.beginObject()
            w.field("manufacturer", stated.manufacturer); w.field("model", stated.model)
            w.field("hardware_revision", stated.hardwareRevision); w.field("firmware_revision", stated.firmwareRevision)
            w.field("software_revision", stated.softwareRevision)
            w.key("med_device_class"); if let c = stated.medDeviceClass { w.int(c) } else { w.null() }
            w.endObject()
        }
        w.endObject()
        w.field("ipv6_router", d.pointee.isIPv6Router)
    }

    /// `classification`: each field `{value, confidence, evidence: [{signal, value, rule, weight}]}`; type is
    /// always present (`unknown` with confidence 0 before the classifier has run), the others null when
    /// nothing supports them.
    public static func writeClassification(_ c: DeviceClassification?, into w: inout JSONWriter) {
        let c = c ?? .unknown
        w.beginObject()
        w.key("type"); writeClassified(c.type.value.rawValue, c.type.confidence, c.type.evidence, into: &w)
        // One call per field, not a loop over an array of them: that array was built for every device.
        w.key("os"); writeClassified(c.os, into: &w)
        w.key("os_version"); writeClassified(c.osVersion, into: &w)
        w.key("model"); writeClassified(c.model, into: &w)
        w.key("manufacturer"); writeClassified(c.manufacturer, into: &w)
        w.endObject()
    }

    /// One optional classified field: its object, or null when nothing supports it.
    static func writeClassified(_ field: ClassifiedValue<String>?, into w: inout JSONWriter) {
        if let field { writeClassified(field.value, field.confidence, field.evidence, into: &w) } else { w.null() }
    }

    static func writeClassified(
        _ value: String, _ confidence: Double, _ evidence: [ClassificationEvidence],
        into w: inout JSONWriter
    ) {
        w.beginObject()
        w.field("value", value)
        w.key("confidence"); w.double((confidence * 1000).rounded() / 1000)
        w.key("evidence"); writeEvidence(evidence, into: &w)
        w.endObject()
    }

    static func writeEvidence(_ evidence: [ClassificationEvidence], into w: inout JSONWriter) {
        w.beginArray()
        for e in evidence {
            w.beginObject()
            w.field("signal", e.signal); w.field("value", e.value); w.field("rule", e.rule)
            w.key("weight"); w.double((e.weight * 1000).rounded() / 1000)
            w.endObject()
        }
        w.endArray()
    }

    public static func json(_ devices: [Device], presence: Presence, pretty: Bool = false) -> [UInt8] {
        var w = JSONWriter(pretty: pretty, reserve: 512 * max(devices.count, 1))
        w.beginArray()
        for d in devices { writeJSON(d, presence: presence, into: &w) }
        w.endArray()
        if pretty { return w.bytes + [0x0A] }
        return w.bytes
    }

    public static let csvHeader = [
        "mac", "vendor", "hostname", "hostname_source", "ipv4", "ipv6", "locally_administered", "dhcp_option55",
        "dhcp_vendor_class", "type", "os", "model", "services", "first_seen", "last_seen", "transmitted_packets",
        "transmitted_bytes",
        "received_packets", "received_bytes",
    ]

    /// `forTerminal`: device-supplied text has its control characters made visible, as in tables, so an
    /// escape sequence in a hostname cannot reach the terminal through `export --format csv`.
    public static func csv(_ devices: [Device], forTerminal: Bool = false) -> String {
        var out = CSVWriter()
        out.row(csvHeader)
        for d in devices {
            var fields = csvFields(d)
            if forTerminal { fields = fields.map(TerminalText.sanitize) }
            out.row(fields)
        }
        return out.text
    }

    static func csvFields(_ d: Device) -> [String] {
        do {
            let ips = d.sortedAddresses
            return [
                d.mac.description, d.vendor ?? "", d.hostname ?? "", d.hostnameSource?.rawValue ?? "",
                ips.filter { $0.version == 4 }.map(\.description).joined(separator: " "),
                ips.filter { $0.version == 6 }.map(\.description).joined(separator: " "),
                d.isLocallyAdministered ? "true" : "false",
                d.dhcp?.parameterRequestListText ?? "", d.dhcp?.vendorClass ?? "",
                d.classification?.type.value.rawValue ?? DeviceType.unknown.rawValue, d.classification?.os?.value ?? "",
                d.classification?.model?.value ?? "",
                d.services.sorted().map(serviceLabel).joined(separator: "; "),
                d.firstSeen.rfc3339, d.lastSeen.rfc3339,
                String(d.traffic.transmittedPackets), String(d.traffic.transmittedBytes),
                String(d.traffic.receivedPackets), String(d.traffic.receivedBytes),
            ]
        }
    }

    public static func table(_ devices: [Device], presence: Presence) -> String {
        let rows = devices.map { d -> [String] in
            // The lowest IPv4 address, else the lowest address (what sorting them all would pick first).
            let v4 =
                (d.addresses.keys.lazy.filter { $0.version == 4 }.min() ?? d.addresses.keys.min())?.description ?? "-"
            return [
                d.mac.description + (d.isLocallyAdministered ? "*" : ""),
                v4,
                d.hostname ?? "-",
                d.vendor ?? (d.isLocallyAdministered ? "(randomised)" : "-"),
                d.classification?.type.value.rawValue ?? DeviceType.unknown.rawValue,
                d.classification?.os?.value ?? "-",
                String(d.services.count),
                presence.isOnline(d) ? "online" : "offline",
                TerminalText.relative(d.lastSeen, now: presence.wallClock),
                "\(d.traffic.transmittedPackets)/\(d.traffic.receivedPackets)",
            ]
        }
        var out = TerminalText.table(
            header: ["MAC", "IP", "HOSTNAME", "VENDOR", "TYPE", "OS", "SVCS", "STATE", "LAST SEEN", "TX/RX PKTS"],
            rows: rows, maxWidth: 32)
        if devices.contains(where: \.isLocallyAdministered) {
            out += "* locally administered (randomised) MAC\n"
        }
        return out
    }

    static func serviceLabel(_ s: ServiceAdvertisement) -> String {
        guard let name = s.name else { return s.type }
        return s.type + " " + name
    }

}

public enum AnomalyRendering {
    public static func writeJSON(_ e: AnomalyEvent, into w: inout JSONWriter) {
        w.beginObject()
        w.field("time", e.time)
        w.field("kind", e.kind.rawValue)
        w.field("severity", e.severity.rawValue)
        w.field("mac", e.mac?.description)
        w.field("summary", e.summary)
        w.key("related_macs"); w.beginArray(); for m in e.relatedMACs { w.ascii { m.appendText(to: &$0) } };
        w.endArray()
        w.key("end_time"); if let end = e.endTime { w.timestamp(end) } else { w.null() }
        w.key("details"); w.beginObject()
        for (k, v) in e.details.sorted(by: { $0.key < $1.key }) { w.key(text: k); w.string(v) }
        w.endObject()
        w.endObject()
    }

    public static func json(_ events: [AnomalyEvent], pretty: Bool = false) -> [UInt8] {
        var w = JSONWriter(pretty: pretty)
        w.beginArray()
        for e in events { writeJSON(e, into: &w) }
        w.endArray()
        return pretty ? w.bytes + [0x0A] : w.bytes
    }

    public static func table(_ events: [AnomalyEvent]) -> String {
        TerminalText.table(
            header: ["TIME", "SEVERITY", "KIND", "MAC", "SUMMARY"],
            rows: events.map {
                [$0.time.rfc3339, $0.severity.rawValue, $0.kind.rawValue, $0.mac?.description ?? "-", $0.summary]
            },
            maxWidth: 72)
    }
}
