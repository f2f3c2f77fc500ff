public import History

/// Parses `--retention`: comma-separated `tier=duration` pairs, e.g. `raw=1d,hourly=30d,daily=365d`.
/// Tiers not named keep their defaults (`RetentionPolicy`); each must be positive and no tier may be
/// kept for less time than the finer one before it (a sample must exist before it can be summed).
public enum RetentionParser {
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case invalid(String)
        case order(String)

        public var description: String {
            switch self {
            case .invalid(let detail):
                return "invalid --retention: \(detail); use e.g. raw=1d,hourly=30d,daily=365d"
            case .order(let detail):
                return "invalid --retention: \(detail)"
            }
        }
    }

    public static func parse(_ text: String) throws(Error) -> RetentionPolicy {
        var policy = RetentionPolicy()
        var seen: Set<Substring> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw .invalid("\"\(part)\" is not tier=duration") }
            let name = pair[0].trimmingSpaces, value = pair[1].trimmingSpaces
            guard seen.insert(name).inserted else { throw .invalid("\(name) given twice") }
            let duration: Duration
            do { duration = try DurationParser.parse(String(value)) } catch {
                throw .invalid("\(name): \(error.description)")
            }
            guard duration > .zero else { throw .invalid("\(name) must be positive") }
            switch name {
            case "raw": policy.raw = duration
            case "hourly": policy.hourly = duration
            case "daily": policy.daily = duration
            default: throw .invalid("unknown tier \"\(name)\" (raw, hourly or daily)")
            }
        }
        guard policy.raw <= policy.hourly else { throw .order("hourly must be kept at least as long as raw") }
        guard policy.hourly <= policy.daily else { throw .order("daily must be kept at least as long as hourly") }
        return policy
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
