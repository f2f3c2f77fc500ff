/// Application payloads the kernel recognises by their first bytes: DNS queries and responses,
/// TLS ClientHellos, HTTP/1.x request heads.
extension Frame {
    /// A DNS message (RFC 1035 section 4.1) with one question for `name`, type A, class IN.
    /// `response` sets QR (and one empty answer count stays 0: only the header bit matters here).
    static func dnsMessage(name: String, response: Bool = false, id: Int = 0x1234) -> [UInt8] {
        var message =
            be16(id) + [response ? 0x81 : 0x01, response ? 0x80 : 0x00] + be16(1) + be16(0) + be16(0) + be16(0)
        for label in name.split(separator: ".") {
            message.append(UInt8(label.utf8.count))
            message += Array(label.utf8)
        }
        return message + [0] + be16(1) + be16(1)
    }

    /// A TLS 1.3-style ClientHello record (RFC 8446 section 4.1.2) with a server_name extension:
    /// record header 0x16 0x03 0x01, handshake type 1 at offset 5. `handshakeType` 2 makes it a
    /// ServerHello-shaped record instead.
    static func tlsClientHello(serverName: String, handshakeType: UInt8 = 1) -> [UInt8] {
        let name = Array(serverName.utf8)
        let serverNameList = [0] + be16(name.count) + name
        let sni = be16(0) + be16(serverNameList.count + 2) + be16(serverNameList.count) + serverNameList
        let versions = be16(43) + be16(3) + [2, 0x03, 0x04]
        let extensions = sni + versions
        var body: [UInt8] = [0x03, 0x03] + (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } + [0]
        body += be16(4) + [0x13, 0x01, 0x13, 0x02] + [1, 0] + be16(extensions.count) + extensions
        let handshake = [handshakeType, 0] + be16(body.count) + body
        return [0x16, 0x03, 0x01] + be16(handshake.count) + handshake
    }

    /// An HTTP/1.1 request head (RFC 9112 section 3) with Host and User-Agent.
    static func httpRequest(method: String, path: String = "/", host: String = "example.test") -> [UInt8] {
        Array(
            "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: lanscope-test/1.0\r\nAccept: */*\r\n\r\n".utf8)
    }

    /// `count` bytes from a fixed linear congruential sequence: the same "random" payload every run.
    static func pseudoRandomBytes(count: Int, seed: UInt32) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// A TCP segment (ACK|PSH, ports 40000 → `destinationPort`) over IPv4 or IPv6.
    static func tcpSegment(
        sourceMAC: [UInt8], destinationMAC: [UInt8] = gateway, ipv6: Bool = false,
        destinationPort: Int = 443, payload: [UInt8]
    ) -> [UInt8] {
        let segment = tcp(source: 40000, destination: destinationPort, flags: tcpACK | tcpPSH, payload: payload)
        return ipv6
            ? ethernet(
                destination: destinationMAC, source: sourceMAC, etherType: 0x86DD,
                payload: Frame.ipv6(nextHeader: 6, payload: segment))
            : ethernet(
                destination: destinationMAC, source: sourceMAC, etherType: 0x0800,
                payload: ipv4(protocol: 6, payload: segment))
    }

    /// A UDP datagram over IPv4 or IPv6.
    static func udpDatagram(
        sourceMAC: [UInt8], destinationMAC: [UInt8] = gateway, ipv6: Bool = false,
        sourcePort: Int, destinationPort: Int, payload: [UInt8]
    ) -> [UInt8] {
        let datagram = udp(source: sourcePort, destination: destinationPort, payload: payload)
        return ipv6
            ? ethernet(
                destination: destinationMAC, source: sourceMAC, etherType: 0x86DD,
                payload: Frame.ipv6(nextHeader: 17, payload: datagram))
            : ethernet(
                destination: destinationMAC, source: sourceMAC, etherType: 0x0800,
                payload: ipv4(protocol: 17, payload: datagram))
    }
}
