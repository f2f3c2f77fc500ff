import LanscopeCore

/// `/sd/devices.json`: the inventory in the format of Prometheus's `http_sd_configs`, so a probe job
/// (blackbox_exporter, SNMP exporter) follows the devices lanscope finds without a hand-kept target list.
///
/// One target group per device that has an address to probe, with its identity as `__meta_lanscope_*`
/// labels (Prometheus drops `__meta_*` after relabelling, so they cost nothing unless a relabel rule keeps
/// them). Devices without a usable address are left out and counted in `X-Omitted-Count`.
enum ServiceDiscovery {
    /// Query parameters: the `/devices.json` filters (`online`, `vendor`, `hostname`, `ip`, `type`) and
    /// `port`, which appends `:port` to every target. No pagination: Prometheus reads one document.
    struct Query: Equatable, Sendable {
        var filters = DeviceQuery()
        var port: Int?

        static let filterNames = ["online", "vendor", "hostname", "ip", "type"]

        static func parse(_ query: [(name: String, value: String)]) -> Result<Query, QueryError> {
            var result = Query()
            var forwarded: [(name: String, value: String)] = []
            for (name, value) in query {
                if name == "port" {
                    guard result.port == nil else {
                        return .failure(QueryError("filter \"port\" given more than once; each filter may appear once"))
                    }
                    guard let port = Int(value), (1...65535).contains(port) else {
                        return .failure(QueryError("port must be an integer from 1 to 65535"))
                    }
                    result.port = port
                } else if filterNames.contains(name) {
                    forwarded.append((name, value))
                } else {
                    return .failure(
                        QueryError(
                            "unknown filter \"\(name)\"; filters: \((filterNames + ["port"]).joined(separator: ", "))"))
                }
            }
            switch DeviceQuery.parse(forwarded) {
            case .success(let filters): result.filters = filters
            case .failure(let error): return .failure(error)
            }
            return .success(result)
        }
    }

    /// The address a probe should use: the most recently seen IPv4 address, else the most recently seen
    /// global IPv6 address (a link-local one needs a zone Prometheus targets cannot carry). Ties go to
    /// the lower address, so the answer does not depend on dictionary order.
    static func probeAddress(_ device: Device) -> IPAddress? {
        newest(device.addresses) {
            guard case .v4(let v4) = $0 else { return false }
            return !v4.isUnspecified && !v4.isMulticast && !v4.isLimitedBroadcast && !v4.isLoopback
        }
            ?? newest(device.addresses) {
                guard case .v6(let v6) = $0 else { return false }
                return !v6.isUnspecified && !v6.isMulticast && !v6.isLinkLocal && !v6.isLoopback
            }
    }

    /// The usable address seen last; on a tie the lower address.
    private static func newest(
        _ addresses: [IPAddress: AddressRecord], where usable: (IPAddress) -> Bool
    ) -> IPAddress? {
        addresses.filter { usable($0.key) }.min {
            $0.value.lastSeen != $1.value.lastSeen ? $0.value.lastSeen > $1.value.lastSeen : $0.key < $1.key
        }?.key
    }

    /// A target as Prometheus writes one: `host`, `host:port`, `[v6]` or `[v6]:port`.
    static func target(_ address: IPAddress, port: Int?) -> String {
        var text: String
        switch address {
        case .v4: text = address.description
        case .v6: text = "[\(address.description)]"
        }
        if let port { text += ":\(port)" }
        return text
    }

    /// Writes one target group.
    static func writeGroup(
        _ device: Device, address: IPAddress, port: Int?, online: Bool, into w: inout JSONWriter
    ) {
        w.beginObject()
        w.key("targets"); w.beginArray(); w.string(target(address, port: port)); w.endArray()
        w.key("labels"); w.beginObject()
        // Label values are strings; an unknown value is the empty string, which Prometheus treats as absent.
        w.field("__meta_lanscope_mac", device.mac.description)
        w.field("__meta_lanscope_ip", address.description)
        w.field("__meta_lanscope_ip_version", String(address.version))
        w.field("__meta_lanscope_vendor", device.vendor ?? "")
        w.field("__meta_lanscope_hostname", device.hostname ?? "")
        let classification = device.classification
        w.field("__meta_lanscope_type", (classification?.type.value ?? .unknown).rawValue)
        w.field("__meta_lanscope_os", classification?.os?.value ?? "")
        w.field("__meta_lanscope_model", classification?.model?.value ?? "")
        w.field("__meta_lanscope_manufacturer", classification?.manufacturer?.value ?? "")
        w.field("__meta_lanscope_online", online ? "true" : "false")
        w.field("__meta_lanscope_locally_administered", device.isLocallyAdministered ? "true" : "false")
        if let port {
            let advertised = device.services.contains { $0.port.map(Int.init) == port }
            w.field("__meta_lanscope_port_advertised", advertised ? "true" : "false")
        }
        w.endObject()
        w.endObject()
    }
}
