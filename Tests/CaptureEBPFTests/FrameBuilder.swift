/// Builds Ethernet frames byte by byte for feeding the BPF programs.
enum Frame {
    static let deviceA: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]
    static let deviceB: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x66]
    static let gateway: [UInt8] = [0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]
    static let broadcast: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    static let ipv4Multicast: [UInt8] = [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]
    static let ipv6Multicast: [UInt8] = [0x33, 0x33, 0x00, 0x00, 0x00, 0xfb]

    static func be16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// `vlans` are (TPID, VLAN ID) from outermost to innermost.
    static func ethernet(
        destination: [UInt8], source: [UInt8], etherType: Int, vlans: [(Int, Int)] = [], payload: [UInt8]
    ) -> [UInt8] {
        var frame = destination + source
        for (tpid, vid) in vlans { frame += be16(tpid) + be16(vid) }
        return frame + be16(etherType) + payload
    }

    static func ipv4(
        protocol proto: UInt8, payload: [UInt8], fragmentOffset: Int = 0, moreFragments: Bool = false,
        source: [UInt8] = [192, 168, 1, 10], destination: [UInt8] = [192, 168, 1, 1]
    ) -> [UInt8] {
        let flags = (moreFragments ? 0x2000 : 0) | (fragmentOffset / 8)
        var header: [UInt8] = [0x45, 0] + be16(20 + payload.count) + be16(0x1234) + be16(flags) + [64, proto, 0, 0]
        header += source + destination
        return header + payload
    }

    static func ipv6(nextHeader: UInt8, payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0x60, 0, 0, 0] + be16(payload.count) + [nextHeader, 255]
        header += [0xfe, 0x80] + [UInt8](repeating: 0, count: 6) + [0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55]
        header += [0xff, 0x02] + [UInt8](repeating: 0, count: 13) + [0x01]
        return header + payload
    }

    /// An options-style extension header (hop-by-hop, routing, destination options) of `units`×8+8 bytes.
    static func ipv6Options(nextHeader: UInt8, units: UInt8 = 0, payload: [UInt8]) -> [UInt8] {
        [nextHeader, units] + [UInt8](repeating: 0, count: 6 + Int(units) * 8) + payload
    }

    static func ipv6Fragment(nextHeader: UInt8, offset: Int, payload: [UInt8]) -> [UInt8] {
        [nextHeader, 0] + be16(offset & 0xFFF8) + [0, 0, 0, 1] + payload
    }

    static func udp(source: Int, destination: Int, payload: [UInt8]) -> [UInt8] {
        be16(source) + be16(destination) + be16(8 + payload.count) + [0, 0] + payload
    }

    static let tcpSYN: UInt8 = 0x02
    static let tcpACK: UInt8 = 0x10
    static let tcpPSH: UInt8 = 0x08

    static func tcp(source: Int, destination: Int, flags: UInt8, payload: [UInt8] = []) -> [UInt8] {
        be16(source) + be16(destination) + [0, 0, 0, 1] + [0, 0, 0, 0] + [0x50, flags] + be16(65535) + [0, 0, 0, 0]
            + payload
    }

    static func icmpv6(type: UInt8) -> [UInt8] { [type, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16) }

    static func arpRequest(from source: [UInt8]) -> [UInt8] {
        ethernet(
            destination: broadcast, source: source, etherType: 0x0806,
            payload: [0, 1, 8, 0, 6, 4, 0, 1] + source + [192, 168, 1, 10] + [UInt8](repeating: 0, count: 6)
                + [192, 168, 1, 1])
    }

    /// A BOOTP/DHCP message (RFC 2131) whose options run `optionBytes` past the magic cookie at byte 236.
    static func dhcpMessage(optionBytes: Int, clientMAC: [UInt8]) -> [UInt8] {
        var message: [UInt8] = [1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef] + [UInt8](repeating: 0, count: 20)
        message += clientMAC + [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 0, count: 192)
        message += [99, 130, 83, 99, 53, 1, 1]
        var index = 0
        while message.count < 236 + 4 + optionBytes - 1 {
            message.append(UInt8(truncatingIfNeeded: 0x40 + index % 50))
            index += 1
        }
        message.append(255)
        return message
    }

    static func udpFrame(
        destinationMAC: [UInt8], sourceMAC: [UInt8], sourcePort: Int, destinationPort: Int,
        payload: [UInt8], vlans: [(Int, Int)] = []
    ) -> [UInt8] {
        ethernet(
            destination: destinationMAC, source: sourceMAC, etherType: 0x0800, vlans: vlans,
            payload: ipv4(
                protocol: 17, payload: udp(source: sourcePort, destination: destinationPort, payload: payload)))
    }

    static func tcpFrame(destinationMAC: [UInt8], sourceMAC: [UInt8], flags: UInt8, payload: [UInt8] = []) -> [UInt8] {
        ethernet(
            destination: destinationMAC, source: sourceMAC, etherType: 0x0800,
            payload: ipv4(protocol: 6, payload: tcp(source: 40000, destination: 443, flags: flags, payload: payload)))
    }
}
