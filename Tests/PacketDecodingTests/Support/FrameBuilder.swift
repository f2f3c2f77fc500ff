import LanscopeCore

/// Builds frames byte by byte for crafted test cases (checksums are left zero: lanscope does not
/// verify them).
enum FrameBuilder {
    static func mac(_ text: String) -> [UInt8] { MACAddress(text)!.octets }
    static func ipv4(_ text: String) -> [UInt8] {
        let value = IPv4Address(text)!.rawValue
        return [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    static func ipv6(_ text: String) -> [UInt8] { IPv6Address(text)!.octets }
    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func ethernet(
        source: String, destination: String = "ff:ff:ff:ff:ff:ff", etherType: Int,
        vlans: [(tpid: Int, id: Int)] = [], payload: [UInt8]
    ) -> [UInt8] {
        var frame = mac(destination) + mac(source)
        for tag in vlans { frame += be16(tag.tpid) + be16(tag.id) }
        return frame + be16(etherType) + payload
    }

    static func ipv4Packet(
        source: String, destination: String, protocolNumber: UInt8, payload: [UInt8],
        fragmentOffset: Int = 0, options: [UInt8] = []
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        var header: [UInt8] = [0x40 | UInt8(headerLength / 4), 0]
        header += be16(headerLength + payload.count) + be16(0x1234) + be16(fragmentOffset) + [64, protocolNumber, 0, 0]
        return header + ipv4(source) + ipv4(destination) + options + payload
    }

    static func ipv6Packet(source: String, destination: String, nextHeader: UInt8, payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(payload.count) + [nextHeader, 255] + ipv6(source) + ipv6(destination) + payload
    }

    static func udp(sourcePort: Int, destinationPort: Int, payload: [UInt8]) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + be16(8 + payload.count) + [0, 0] + payload
    }

    static func tcp(sourcePort: Int, destinationPort: Int, flags: UInt8, options: [UInt8] = []) -> [UInt8] {
        let offset = (20 + options.count) / 4
        return be16(sourcePort) + be16(destinationPort) + be32(1) + be32(0) + [UInt8(offset << 4), flags]
            + be16(65535) + [0, 0, 0, 0] + options
    }

    /// An Ethernet/IPv4/UDP frame.
    static func udpFrame(
        sourceMAC: String, destinationMAC: String = "ff:ff:ff:ff:ff:ff", sourceIP: String,
        destinationIP: String, sourcePort: Int, destinationPort: Int, payload: [UInt8]
    ) -> [UInt8] {
        ethernet(
            source: sourceMAC, destination: destinationMAC, etherType: 0x0800,
            payload: ipv4Packet(
                source: sourceIP, destination: destinationIP, protocolNumber: 17,
                payload: udp(sourcePort: sourcePort, destinationPort: destinationPort, payload: payload)))
    }

    static func arp(operation: Int, senderMAC: String, senderIP: String, targetMAC: String, targetIP: String) -> [UInt8]
    {
        be16(1) + be16(0x0800) + [6, 4] + be16(operation) + mac(senderMAC) + ipv4(senderIP) + mac(targetMAC)
            + ipv4(targetIP)
    }

    /// A BOOTP/DHCP message with the given options (code, data), terminated by the end option.
    static func dhcp(
        op: UInt8, chaddr: String, ciaddr: String = "0.0.0.0", yiaddr: String = "0.0.0.0",
        giaddr: String = "0.0.0.0", options: [(UInt8, [UInt8])], terminate: Bool = true
    ) -> [UInt8] {
        var message: [UInt8] = [op, 1, 6, 0] + be32(0xDEAD_BEEF) + [0, 0, 0, 0]
        message += ipv4(ciaddr) + ipv4(yiaddr) + ipv4("0.0.0.0") + ipv4(giaddr)
        message += mac(chaddr) + [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 0, count: 192)
        message += [99, 130, 83, 99]
        for (code, data) in options { message += [code, UInt8(data.count)] + data }
        if terminate { message.append(255) }
        return message
    }

    /// DNS name in uncompressed wire form.
    static func name(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in text.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        return bytes + [0]
    }

    static func dnsHeader(
        id: Int = 0, flags: Int, questions: Int, answers: Int, authorities: Int = 0,
        additionals: Int = 0
    ) -> [UInt8] {
        be16(id) + be16(flags) + be16(questions) + be16(answers) + be16(authorities) + be16(additionals)
    }

    static func record(
        _ owner: [UInt8], type: Int, recordClass: Int = 0x8001, ttl: UInt32 = 120, data: [UInt8]
    ) -> [UInt8] {
        owner + be16(type) + be16(recordClass) + be32(ttl) + be16(data.count) + data
    }
}
