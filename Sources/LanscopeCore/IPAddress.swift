/// An IPv4 address in host order (`10.0.0.1` is `0x0A00_0001`).
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Dotted quad, four decimal octets 0–255 without leading signs; anything else is `nil`.
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0
        var parts = 0
        var current: UInt32 = 0
        var digits = 0
        for c in text.utf8 {
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | current
                parts += 1; current = 0; digits = 0
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                current = current * 10 + UInt32(c - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard parts == 3, digits > 0 else { return nil }
        rawValue = value << 8 | current
    }

    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: 0xFFFF_FFFF)

    public var isUnspecified: Bool { rawValue == 0 }
    public var isMulticast: Bool { rawValue >> 28 == 0xE }
    public var isLimitedBroadcast: Bool { rawValue == 0xFFFF_FFFF }
    public var isLinkLocal: Bool { rawValue >> 16 == 0xA9FE }
    public var isLoopback: Bool { rawValue >> 24 == 127 }

    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(15)
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the dotted-quad form as ASCII (what `description` returns), without a `String`:
    /// rendered for every device on every scrape.
    public func appendText(to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = UInt8(truncatingIfNeeded: rawValue >> UInt32(shift))
            if shift != 24 { bytes.append(UInt8(ascii: ".")) }
            if octet >= 100 { bytes.append(UInt8(ascii: "0") + octet / 100) }
            if octet >= 10 { bytes.append(UInt8(ascii: "0") + octet / 10 % 10) }
            bytes.append(UInt8(ascii: "0") + octet % 10)
        }
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An IPv6 address as two host-order 64-bit halves.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Reads sixteen octets in network order; `nil` when fewer are given.
    public init?<C: Collection>(octets: C) where C.Element == UInt8 {
        guard octets.count >= 16 else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        var index = octets.startIndex
        for i in 0..<16 {
            if i < 8 { h = h << 8 | UInt64(octets[index]) } else { l = l << 8 | UInt64(octets[index]) }
            index = octets.index(after: index)
        }
        high = h; low = l
    }

    /// RFC 4291 §2.2 text forms (including `::` and an embedded dotted IPv4 tail).
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        guard !s.isEmpty, s.utf8.count <= 45 else { return nil }
        var groups: [UInt16] = []
        // Split on the first "::" by hand (Foundation-free); a second "::" is invalid.
        var halves: [String] = [s]
        let chars = Array(s.utf8)
        if let gap = (0..<max(chars.count - 1, 0)).first(where: { chars[$0] == 0x3A && chars[$0 + 1] == 0x3A }) {
            let head = String(decoding: chars[..<gap], as: UTF8.self)
            let tail = String(decoding: chars[(gap + 2)...], as: UTF8.self)
            guard !tail.utf8.starts(with: [0x3A]), !head.hasSuffix(":") else { return nil }
            if (0..<max(tail.utf8.count - 1, 0)).contains(where: {
                Array(tail.utf8)[$0] == 0x3A && Array(tail.utf8)[$0 + 1] == 0x3A
            }) {
                return nil
            }
            halves = [head, tail]
        }
        func parse(_ part: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, field) in fields.enumerated() {
                if allowIPv4Tail && i == fields.count - 1 && field.contains(".") {
                    guard let v4 = IPv4Address(field) else { return nil }
                    out.append(UInt16(v4.rawValue >> 16)); out.append(UInt16(v4.rawValue & 0xFFFF))
                    continue
                }
                guard (1...4).contains(field.utf8.count), let v = UInt16(field, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        if halves.count == 2 {
            guard let head = parse(halves[0], allowIPv4Tail: false), let tail = parse(halves[1], allowIPv4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            groups = head
            groups += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parse(s, allowIPv4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(groups[i]) }
        for i in 4..<8 { l = l << 16 | UInt64(groups[i]) }
        high = h; low = l
    }

    public var octets: [UInt8] {
        (0..<16).map { i in
            i < 8
                ? UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
                : UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i - 8)))
        }
    }

    public var isUnspecified: Bool { high == 0 && low == 0 }
    public var isMulticast: Bool { high >> 56 == 0xFF }
    public var isLinkLocal: Bool { high >> 54 == 0x3FA }  // fe80::/10
    public var isLoopback: Bool { high == 0 && low == 1 }

    /// RFC 5952 canonical text: lower case, longest run of two or more zero groups as `::`.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(39)
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the RFC 5952 form as ASCII (what `description` returns): lowercase, no leading zeros,
    /// the longest run of two or more zero groups (the first of equals) as `::`.
    public func appendText(to out: inout [UInt8]) {
        @inline(__always) func group(_ i: Int) -> UInt16 {
            i < 4
                ? UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
                : UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i - 4)))
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && group(i) == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var i = 0
        var afterSeparator = true
        while i < 8 {
            if i == bestStart {
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: ":"))
                afterSeparator = true
                i += bestLength
                continue
            }
            if !afterSeparator { out.append(UInt8(ascii: ":")) }
            let value = group(i)
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let nibble = Int(value >> UInt16(shift) & 0xF)
                if nibble != 0 || started || shift == 0 {
                    out.append(hexDigits[nibble])
                    started = true
                }
            }
            afterSeparator = false
            i += 1
        }
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// An IPv4 or IPv6 address. IPv4 sorts before IPv6.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }

    /// Appends `description` as ASCII, without a `String`.
    public func appendText(to bytes: inout [UInt8]) {
        switch self {
        case .v4(let a): a.appendText(to: &bytes)
        case .v6(let a): a.appendText(to: &bytes)
        }
    }

    public var version: Int {
        switch self {
        case .v4: return 4
        case .v6: return 6
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v6(let a), .v6(let b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}
