import LanscopeCore

/// Minimal Ethernet frames built by hand, so pipeline tests need no capture file or backend.
enum Frames {
    static func mac(_ m: MACAddress) -> [UInt8] { m.octets }

    /// An ARP request or reply (RFC 826) from `sender` claiming `senderIP`.
    static func arp(
        from sender: MACAddress, ip senderIP: [UInt8], target targetIP: [UInt8], operation: UInt16 = 1,
        to destination: MACAddress = .broadcast
    ) -> [UInt8] {
        var f = mac(destination) + mac(sender) + [0x08, 0x06]
        f += [0x00, 0x01, 0x08, 0x00, 6, 4, UInt8(operation >> 8), UInt8(operation & 0xff)]
        f += mac(sender) + senderIP + [0, 0, 0, 0, 0, 0] + targetIP
        return f + [UInt8](repeating: 0, count: 18)
    }

    /// A plain IPv4/UDP frame of `length` bytes on the wire between two MACs.
    static func udp(from source: MACAddress, to destination: MACAddress, length: Int = 100) -> [UInt8] {
        var f = mac(destination) + mac(source) + [0x08, 0x00]
        let ipLength = max(28, length - 14)
        f += [0x45, 0, UInt8(ipLength >> 8), UInt8(ipLength & 0xff), 0, 0, 0x40, 0, 64, 17, 0, 0]
        f += [10, 0, 0, 1, 10, 0, 0, 2]
        f += [0x30, 0x39, 0x30, 0x3a, UInt8((ipLength - 20) >> 8), UInt8((ipLength - 20) & 0xff), 0, 0]
        return f + [UInt8](repeating: 0, count: max(0, length - f.count))
    }

    /// A minimal IPv4/TCP segment (20-byte header, no payload) with the given flags (RFC 9293 §3.1).
    static func tcp(from source: MACAddress, to destination: MACAddress, flags: UInt8) -> [UInt8] {
        var f = mac(destination) + mac(source) + [0x08, 0x00]
        f += [0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]
        f += [10, 0, 0, 1, 10, 0, 0, 2]
        f += [0xc0, 0x01, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0]
        return f + [UInt8](repeating: 0, count: 6)
    }
}
