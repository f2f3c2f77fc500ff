/// One device as `/devices/{mac}.json` gives it, reduced to what the detail view shows.
public struct DeviceDetail: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public var name: String
        public var value: String
    }
    public struct Address: Equatable, Sendable {
        public var ip: String
        public var source: String
        public var firstSeen: Double?
        public var lastSeen: Double?
    }
    public struct Evidence: Equatable, Sendable {
        public var kind: String
        public var source: String
        public var value: String
        public var count: Int
        public var lastSeen: Double?
    }

    public var summary: DeviceSummary
    /// Identity: name → value pairs in display order (vendor, hostnames, classification with confidence…).
    public var identity: [Field]
    /// The classifier's reasons: "type: signal=value (rule, weight)".
    public var reasons: [String]
    public var addresses: [Address]
    public var evidence: [Evidence]
    public var events: [AnomalySummary]

    public static func decode(_ bytes: [UInt8]) throws(TopError) -> DeviceDetail {
        let root = try JSONValue.parse(bytes)
        let d = root["device"]
        guard let mac = d["mac"].string else { throw .badResponse("no device.mac in the detail") }
        let summary = DeviceSummary(json: d, mac: mac)
        var identity: [Field] = []
        func add(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { identity.append(Field(name: name, value: value)) }
        }
        add("MAC", mac)
        add("vendor", d["vendor"].string)
        add("hostname", d["hostname"].string.map { "\($0) (\(d["hostname_source"].string ?? "?"))" })
        for (via, name) in d["hostnames"].object.sorted(by: { $0.key < $1.key }) {
            add("  via \(via)", name.string)
        }
        var reasons: [String] = []
        for field in ["type", "os", "os_version", "model", "manufacturer"] {
            let c = d["classification"][field]
            guard let value = c["value"].string else { continue }
            let confidence = Int(((c["confidence"].number ?? 0) * 100).rounded())
            add(field, "\(value) (\(confidence) %)")
            for e in c["evidence"].array {
                let weight = e["weight"].number.map { String(Int(($0 * 100).rounded())) } ?? "?"
                reasons.append(
                    "\(field): \(e["signal"].string ?? "?")=\(e["value"].string ?? "?") "
                        + "(\(e["rule"].string ?? "?"), \(weight))")
            }
        }
        add("private MAC of", d["private_mac_link"]["mac"].string)
        add("DHCP vendor class", d["dhcp"]["vendor_class"].string)
        let protocols = d["protocols"].array.compactMap(\.string)
        add("protocols", protocols.isEmpty ? nil : protocols.joined(separator: " "))
        for s in d["software"].object.sorted(by: { $0.key < $1.key }) { add("software (\(s.key))", s.value.string) }
        let services = d["services"].array.compactMap { s -> String? in
            guard let type = s["type"].string else { return nil }
            return s["name"].string.map { "\($0) \(type)" } ?? type
        }
        add("services", services.isEmpty ? nil : services.joined(separator: ", "))
        let addresses = d["addresses"].array.compactMap { a -> Address? in
            guard let ip = a["ip"].string else { return nil }
            return Address(
                ip: ip, source: a["source"].string ?? "?", firstSeen: a["first_seen"].string.flatMap(RFC3339.seconds),
                lastSeen: a["last_seen"].string.flatMap(RFC3339.seconds))
        }
        let evidence = root["evidence"].array.map { e in
            Evidence(
                kind: e["kind"].string ?? "?", source: e["source"].string ?? "?", value: e["value"].string ?? "",
                count: Int(e["count"].number ?? 0), lastSeen: e["last_seen"].string.flatMap(RFC3339.seconds))
        }
        return DeviceDetail(
            summary: summary, identity: identity, reasons: reasons, addresses: addresses, evidence: evidence,
            events: AnomalySummary.decode(root["anomalies"]))
    }
}

extension DeviceSummary {
    /// The table's fields from a parsed device object (the detail response carries the same object).
    init(json d: JSONValue, mac: String) {
        let addresses = d["addresses"].array
        let ip = (addresses.first { $0["version"].number == 4 } ?? addresses.first)?["ip"].string
        let c = d["classification"]
        self.init(
            mac: mac, vendor: d["vendor"].string, hostname: d["hostname"].string, ip: ip,
            type: c["type"]["value"].string ?? "unknown", os: c["os"]["value"].string,
            model: c["model"]["value"].string, lastSeen: d["last_seen"].string.flatMap(RFC3339.seconds),
            online: d["online"].bool ?? false,
            transmittedBytes: UInt64(min(max(0, d["counters"]["transmitted_bytes"].number ?? 0), 1e19)),
            receivedBytes: UInt64(min(max(0, d["counters"]["received_bytes"].number ?? 0), 1e19)))
    }
}
