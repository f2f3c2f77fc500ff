import Foundation
import LanscopeCore

/// A point in time given on the command line: a duration back from now (`2h`, `7d`, `1h30m`: see
/// `DurationParser`), `now`, an ISO-8601 date and time with a zone (`2026-12-07T01:00:00Z`,
/// `2026-12-07T02:00:00+01:00`, fractional seconds allowed), or a date alone (`2026-12-07`, midnight UTC).
public enum TimeArgument {
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let text: String
        public var description: String {
            "invalid time \"\(text)\": use a duration back from now (30m, 2h, 7d), now, "
                + "an ISO-8601 time with zone (2026-12-07T01:00:00Z) or a date (2026-12-07)"
        }
    }

    public static func parse(_ text: String, now: Timestamp) throws(Error) -> Timestamp {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "now" { return now }
        if let duration = try? DurationParser.parse(trimmed) { return now - duration }
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        for formatter in [full, fractional, day] {
            if let date = formatter.date(from: trimmed) {
                return Timestamp(secondsSinceEpoch: date.timeIntervalSince1970)
            }
        }
        throw Error(text: text)
    }
}
