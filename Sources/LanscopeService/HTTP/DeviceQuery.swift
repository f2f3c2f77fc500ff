import LanscopeCore

/// The filters and page of `/devices.json`, checked in full before any device is read.
///
/// Each parameter may appear once and its value is bounded, so one request costs at most one pass over the
/// devices with five cheap tests — `?vendor=o&vendor=o&…` repeated 900 times once cost 900 passes and
/// held a worker for seconds (issue 9).
struct DeviceQuery: Equatable, Sendable {
    var online: Bool?
    /// Lowercased substring of the vendor name.
    var vendor: String?
    /// Lowercased substring of the hostname.
    var hostname: String?
    var ip: IPAddress?
    var type: DeviceType?
    /// Page: devices skipped after filtering, and most devices returned.
    var offset: Int?
    var limit: Int?
    /// `view=summary`: the compact device object (`DeviceSummaryRendering`) instead of the full one.
    var summary = false

    static let parameterNames = ["online", "vendor", "hostname", "ip", "type", "limit", "offset", "view"]
    /// Longest filter value in bytes; vendor names and hostnames are far shorter (DNS names ≤ 253).
    static let maxValueBytes = 256

    /// The filters, or a message for a 400 naming what is wrong.
    static func parse(_ query: [(name: String, value: String)]) -> Result<DeviceQuery, QueryError> {
        var result = DeviceQuery()
        var seen: Set<String> = []
        for (name, value) in query {
            guard parameterNames.contains(name) else {
                return .failure(
                    QueryError(
                        "unknown filter \"\(name)\"; filters: online, vendor, hostname, ip, type, limit, offset, view"))
            }
            guard seen.insert(name).inserted else {
                return .failure(QueryError("filter \"\(name)\" given more than once; each filter may appear once"))
            }
            guard value.utf8.count <= maxValueBytes else {
                return .failure(QueryError("filter \"\(name)\" is longer than \(maxValueBytes) bytes"))
            }
            switch name {
            case "online":
                guard let wanted = Bool(value) else { return .failure(QueryError("online must be true or false")) }
                result.online = wanted
            case "vendor": result.vendor = value.lowercased()
            case "view":
                guard value == "full" || value == "summary" else {
                    return .failure(QueryError("view must be full or summary"))
                }
                result.summary = value == "summary"
            case "hostname": result.hostname = value.lowercased()
            case "type":
                guard let type = DeviceType(rawValue: value) else {
                    let types = DeviceType.allCases.map(\.rawValue).sorted().joined(separator: ", ")
                    return .failure(QueryError("type must be one of: \(types)"))
                }
                result.type = type
            case "limit", "offset":
                guard let number = Int(value), number >= 0 else {
                    return .failure(QueryError("\(name) must be a non-negative integer"))
                }
                if name == "limit" { result.limit = number } else { result.offset = number }
            default:  // "ip"
                guard let ip = IPAddress(value) else {
                    return .failure(QueryError("ip must be an IPv4 or IPv6 address"))
                }
                result.ip = ip
            }
        }
        return .success(result)
    }

    /// Whether any filter (not the page) is given.
    var hasFilters: Bool { online != nil || vendor != nil || hostname != nil || ip != nil || type != nil }

    /// Whether `device` passes every filter given; `isOnline` is asked only when `online` is.
    func matches(_ device: Device, isOnline: () -> Bool) -> Bool {
        if let ip, device.addresses[ip] == nil { return false }
        if let type, (device.classification?.type.value ?? .unknown) != type { return false }
        if let vendor, !(device.vendor?.lowercased().contains(vendor) ?? false) { return false }
        if let hostname, !(device.hostname?.lowercased().contains(hostname) ?? false) { return false }
        if let online, isOnline() != online { return false }
        return true
    }
}

/// Why a query was refused; the message is sent to the client as `{"error": …}` with status 400.
struct QueryError: Error, Equatable, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
