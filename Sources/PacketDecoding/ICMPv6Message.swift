import LanscopeCore

/// An ICMPv6 message header (RFC 4443) with the Neighbor Discovery fields lanscope uses
/// (RFC 4861): the target address of NS/NA/redirect and the source/target link-layer address
/// options of types 133–137.
public struct ICMPv6Message: Sendable, Hashable {
    public var type: UInt8
    public var code: UInt8
    /// NS, NA and redirect target address.
    public var targetAddress: IPv6Address?
    /// Option 1 (source link-layer address), when it is six bytes long.
    public var sourceLinkLayerAddress: MACAddress?
    /// Option 2 (target link-layer address), when it is six bytes long.
    public var targetLinkLayerAddress: MACAddress?

    /// Router advertisement (134, RFC 4861 §4.2): router lifetime in seconds, M and O flags.
    public var routerLifetime: UInt16?
    public var managedFlag = false
    public var otherConfigurationFlag = false
    /// Prefix information options (type 3, RFC 4861 §4.6.2) of an RA, at most `maximumPrefixes`.
    public var prefixes: [PrefixInformation] = []

    public struct PrefixInformation: Sendable, Hashable {
        public var prefix: IPv6Address
        public var length: UInt8
        /// `2001:db8::/64`.
        public var text: String { "\(prefix)/\(length)" }
    }

    public var isNeighborDiscovery: Bool { (133...137).contains(type) }

    /// The fact form of an RA.
    public var routerAdvertisement: RouterAdvertisement? {
        guard type == 134, let routerLifetime else { return nil }
        return RouterAdvertisement(
            routerLifetime: routerLifetime, prefixes: prefixes.map(\.text), managed: managedFlag,
            otherConfiguration: otherConfigurationFlag)
    }

    static let maximumPrefixes = 16

    /// Options are walked at most this many times; each one is at least 8 bytes anyway.
    static let maximumOptions = 64

    public init(from reader: inout ByteReader) throws(DecodeError) {
        type = try reader.readUInt8()
        code = try reader.readUInt8()
        _ = try reader.readUInt16()
        switch type {
        case 133: try reader.skip(4)  // RS: reserved
        case 134:  // RA: hop limit, flags, router lifetime, reachable time, retransmit timer
            _ = try reader.readUInt8()
            let flags = try reader.readUInt8()
            managedFlag = flags & 0x80 != 0
            otherConfigurationFlag = flags & 0x40 != 0
            routerLifetime = try reader.readUInt16()
            try reader.skip(8)
        case 135, 136:  // NS / NA: reserved or flags, target
            try reader.skip(4)
            targetAddress = try reader.readIPv6()
        case 137:  // redirect: reserved, target, destination
            try reader.skip(4)
            targetAddress = try reader.readIPv6()
            try reader.skip(16)
        default:
            return
        }
        var count = 0
        while !reader.isAtEnd && count < Self.maximumOptions {
            count += 1
            let optionType = try reader.readUInt8()
            let units = Int(try reader.readUInt8())
            // RFC 4861 §4.6: a zero length is invalid and the packet must be discarded.
            guard units > 0 else { throw .invalidLength(field: "NDP option", value: 0) }
            var body = try reader.subReader(units * 8 - 2)
            if units == 1 && (optionType == 1 || optionType == 2) {
                let mac = try body.readMAC()
                if optionType == 1 { sourceLinkLayerAddress = mac } else { targetLinkLayerAddress = mac }
            } else if optionType == 3 && type == 134 && units == 4 && prefixes.count < Self.maximumPrefixes {
                // prefix length, flags, valid and preferred lifetimes, reserved, prefix
                let length = try body.readUInt8()
                try body.skip(13)
                let prefix = try body.readIPv6()
                // A length over 128 names no prefix; the rest of the RA still holds.
                if length <= 128 { prefixes.append(PrefixInformation(prefix: prefix, length: length)) }
            }
        }
    }

    public init(parsing bytes: [UInt8]) throws(DecodeError) {
        self = try bytes.decode { (buffer) throws(DecodeError) -> ICMPv6Message in
            var reader = ByteReader(buffer)
            return try ICMPv6Message(from: &reader)
        }
    }
}
