/// A point in time: nanoseconds since the Unix epoch. Replay takes it from packet timestamps,
/// live capture from the system clock — both through `Clock`, never read directly in pure code.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(seconds: Int64, nanoseconds: Int64 = 0) { self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds }
    public init(secondsSinceEpoch: Double) { nanoseconds = Int64(secondsSinceEpoch * 1e9) }

    public static let zero = Timestamp(nanoseconds: 0)
    /// Seconds as a `Double`, computed from whole seconds plus the fraction so that e.g. `.35` stays
    /// `.35` instead of picking up the rounding noise of `nanoseconds / 1e9`.
    public var seconds: Double {
        let whole = wholeSeconds
        return Double(whole) + Double(nanoseconds - whole * 1_000_000_000) / 1e9
    }
    public var wholeSeconds: Int64 {
        nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let (s, a) = rhs.components
        return Timestamp(nanoseconds: lhs.nanoseconds &+ s &* 1_000_000_000 &+ a / 1_000_000_000)
    }
    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let (s, a) = rhs.components
        return Timestamp(nanoseconds: lhs.nanoseconds &- s &* 1_000_000_000 &- a / 1_000_000_000)
    }
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-29T03:33:18.000Z`.
    public var rfc3339: String {
        var bytes = [UInt8](repeating: 0, count: 24)
        bytes.withUnsafeMutableBufferPointer { writeRFC3339(into: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the 24 bytes of `rfc3339` (byte-level: rendered several times per device in JSON).
    public func writeRFC3339(into out: UnsafeMutableBufferPointer<UInt8>) {
        let secs = wholeSeconds
        let millis = Int((nanoseconds - secs * 1_000_000_000) / 1_000_000)
        var days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let secOfDay = Int(secs - days * 86_400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's days-to-civil algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        func put(_ value: Int, at index: Int, width: Int) {
            var v = max(0, value)
            for i in stride(from: index + width - 1, through: index, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(Int(year) % 10_000, at: 0, width: 4)
        out[4] = UInt8(ascii: "-")
        put(Int(month), at: 5, width: 2)
        out[7] = UInt8(ascii: "-")
        put(Int(day), at: 8, width: 2)
        out[10] = UInt8(ascii: "T")
        put(secOfDay / 3600, at: 11, width: 2)
        out[13] = UInt8(ascii: ":")
        put(secOfDay / 60 % 60, at: 14, width: 2)
        out[16] = UInt8(ascii: ":")
        put(secOfDay % 60, at: 17, width: 2)
        out[19] = UInt8(ascii: ".")
        put(millis, at: 20, width: 3)
        out[23] = UInt8(ascii: "Z")
    }

    public var description: String { rfc3339 }
}

/// Where "now" comes from. Pure code takes a `Clock`; tests pass a manual one.
public protocol Clock: Sendable {
    func now() -> Timestamp
}
