/// A 48-bit IEEE 802 MAC address, stored in the low 48 bits of a `UInt64` (network byte order:
/// the first octet on the wire is the most significant).
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        rawValue =
            UInt64(b0) << 40 | UInt64(b1) << 32 | UInt64(b2) << 24 | UInt64(b3) << 16 | UInt64(b4) << 8 | UInt64(b5)
    }

    /// Reads six octets; `nil` when fewer than six are given.
    public init?<C: Collection>(octets: C) where C.Element == UInt8 {
        guard octets.count >= 6 else { return nil }
        var value: UInt64 = 0
        var index = octets.startIndex
        for _ in 0..<6 {
            value = value << 8 | UInt64(octets[index])
            index = octets.index(after: index)
        }
        rawValue = value
    }

    /// Parses `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` (either case). Anything else is `nil`.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 17 else { return nil }
        let separator = utf8[2]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
        var value: UInt64 = 0
        for group in 0..<6 {
            let base = group * 3
            if group > 0 && utf8[base - 1] != separator { return nil }
            guard let high = hexValue(utf8[base]), let low = hexValue(utf8[base + 1]) else { return nil }
            value = value << 8 | UInt64(high << 4 | low)
        }
        rawValue = value
    }

    /// Parses the notations people paste: `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff`, bare `aabbccddeeff`,
    /// Cisco's `aabb.ccdd.eeff`, and colon groups without leading zeros (`a:b:c:d:e:f`), either case.
    public init?(anyNotation text: some StringProtocol) {
        if let strict = MACAddress(text) {
            self = strict
            return
        }
        let string = String(text)
        var digits: [UInt8] = []
        if string.contains(":") || string.contains("-") {
            let groups = string.split(separator: string.contains(":") ? ":" : "-", omittingEmptySubsequences: false)
            guard groups.count == 6 else { return nil }
            for group in groups {
                guard (1...2).contains(group.utf8.count) else { return nil }
                let padded = Array(group.utf8)
                digits += padded.count == 1 ? [UInt8(ascii: "0")] + padded : padded
            }
        } else if string.contains(".") {
            let groups = string.split(separator: ".", omittingEmptySubsequences: false)
            guard groups.count == 3, groups.allSatisfy({ $0.utf8.count == 4 }) else { return nil }
            digits = groups.flatMap { Array($0.utf8) }
        } else {
            digits = Array(string.utf8)
        }
        guard digits.count == 12 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard let nibble = hexValue(digit) else { return nil }
            value = value << 4 | UInt64(nibble)
        }
        rawValue = value
    }

    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(rawValue: 0)

    public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64($0))) } }

    /// The I/G bit of the first octet: group (multicast or broadcast) address.
    public var isMulticast: Bool { rawValue & 0x0100_0000_0000 != 0 }
    public var isBroadcast: Bool { rawValue == MACAddress.broadcast.rawValue }
    /// The U/L bit: locally administered — typical of randomised "private" MACs on phones and laptops.
    public var isLocallyAdministered: Bool { rawValue & 0x0200_0000_0000 != 0 }
    /// A unicast, globally or locally administered, non-zero address: something that can be a device.
    public var isUnicastDevice: Bool { !isMulticast && rawValue != 0 }

    /// The first 24, 28 or 36 bits, for IEEE registry (MA-L / MA-M / MA-S) lookups.
    public var prefix24: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 24) }
    public var prefix28: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 20) }
    public var prefix36: UInt64 { rawValue >> 12 }

    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(17)
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `aa:bb:cc:dd:ee:ff` (lowercase, what `description` returns) as ASCII.
    public func appendText(to bytes: inout [UInt8]) {
        for group in 0..<6 {
            let octet = UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64(group)))
            if group > 0 { bytes.append(UInt8(ascii: ":")) }
            bytes.append(hexDigits[Int(octet >> 4)])
            bytes.append(hexDigits[Int(octet & 0xF)])
        }
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// What sets and dictionaries keyed by a MAC hash: the standard library's one-shot hash of the
    /// 64-bit value, as for an `Int` key (the same seeded SipHash, so a flood of chosen MACs cannot
    /// aim at one bucket), without a `Hasher` built and finalised around it. Every frame hashes one
    /// or more MACs.
    public func _rawHashValue(seed: Int) -> Int { rawValue._rawHashValue(seed: seed) }
}

let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}
