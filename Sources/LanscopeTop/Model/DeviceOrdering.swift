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
    /// Sorts indices over precomputed keys: moving the summaries themselves (several strings each)
    /// through a sort of 10,000 costs more than the comparisons.
    public static func sort(
        _ devices: [DeviceSummary], by key: SortKey, rates: [String: TrafficRate]
    ) -> [DeviceSummary] {
        let macs = devices.map(\.mac)
        var order = Array(devices.indices)
        switch key {
        case .traffic:
            let rate = devices.map { rates[$0.mac]?.total ?? 0 }
            let total = devices.map { Double($0.transmittedBytes) + Double($0.receivedBytes) }
            order.sort { a, b in
                if rate[a] != rate[b] { return rate[a] > rate[b] }
                if total[a] != total[b] { return total[a] > total[b] }
                return macs[a] < macs[b]
            }
        case .name:
            let name = devices.map { ($0.hostname ?? "").lowercased() }
            let vendor = devices.map { ($0.vendor ?? "").lowercased() }
            order.sort { a, b in
                if name[a].isEmpty != name[b].isEmpty { return !name[a].isEmpty }
                if name[a] != name[b] { return name[a] < name[b] }
                if vendor[a] != vendor[b] { return vendor[a] < vendor[b] }
                return macs[a] < macs[b]
            }
        case .lastSeen:
            let seen = devices.map { $0.lastSeen ?? 0 }
            order.sort { a, b in
                if seen[a] != seen[b] { return seen[a] > seen[b] }
                return macs[a] < macs[b]
            }
        case .type:
            let type = devices.map(\.type)
            let name = devices.map { $0.hostname?.lowercased() ?? "\u{10FFFF}" }
            order.sort { a, b in
                if type[a] != type[b] { return type[a] < type[b] }
                if name[a] != name[b] { return name[a] < name[b] }
                return macs[a] < macs[b]
            }
        }
        return order.map { devices[$0] }
    }
}
