/// What the device table is sorted by (keys in the help line).
public enum SortKey: String, CaseIterable, Sendable {
    /// Bytes per second sent and received, then total bytes: busiest first.
    case traffic
    /// Hostname (devices without one last), then vendor, then MAC.
    case name
    /// Most recently seen first.
    case lastSeen = "last seen"
    /// Type, then name.
    case type

    /// The key that selects this order.
    public var key: Character {
        switch self {
        case .traffic: "t"
        case .name: "n"
        case .lastSeen: "l"
        case .type: "y"
        }
    }
}

/// Sorting and filtering of the table: pure, over summaries and rates.
public enum DeviceOrdering {
    /// Devices whose MAC, IP, hostname, vendor, type, OS or model contains `filter` (case-insensitive);
    /// all of them for an empty filter.
    public static func filter(_ devices: [DeviceSummary], by filter: String) -> [DeviceSummary] {
        let needle = filter.lowercased()
        guard !needle.isEmpty else { return devices }
        return devices.filter { d in
            for field in [d.mac, d.ip, d.hostname, d.vendor, d.type, d.os, d.model] {
                if let field, field.lowercased().contains(needle) { return true }
            }
            return false
        }
    }

    /// `devices` in `key`'s order; ties are broken by MAC so the order is stable between refreshes.
    public static func sort(
        _ devices: [DeviceSummary], by key: SortKey, rates: [String: TrafficRate]
    ) -> [DeviceSummary] {
        switch key {
        case .traffic:
            let keyed = devices.map { d in
                (d, rates[d.mac]?.total ?? 0, Double(d.transmittedBytes) + Double(d.receivedBytes))
            }
            return keyed.sorted { a, b in
                if a.1 != b.1 { return a.1 > b.1 }
                if a.2 != b.2 { return a.2 > b.2 }
                return a.0.mac < b.0.mac
            }.map(\.0)
        case .name:
            let keyed = devices.map { ($0, ($0.hostname ?? "").lowercased(), ($0.vendor ?? "").lowercased()) }
            return keyed.sorted { a, b in
                if a.1.isEmpty != b.1.isEmpty { return !a.1.isEmpty }
                if a.1 != b.1 { return a.1 < b.1 }
                if a.2 != b.2 { return a.2 < b.2 }
                return a.0.mac < b.0.mac
            }.map(\.0)
        case .lastSeen:
            return devices.sorted { a, b in
                let x = a.lastSeen ?? 0
                let y = b.lastSeen ?? 0
                if x != y { return x > y }
                return a.mac < b.mac
            }
        case .type:
            return devices.sorted { a, b in
                if a.type != b.type { return a.type < b.type }
                let x = a.hostname?.lowercased() ?? "\u{10FFFF}"
                let y = b.hostname?.lowercased() ?? "\u{10FFFF}"
                if x != y { return x < y }
                return a.mac < b.mac
            }
        }
    }
}
