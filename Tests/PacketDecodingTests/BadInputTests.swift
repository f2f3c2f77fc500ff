import LanscopeCore
import PacketDecoding
import Testing

/// Hostile and broken input: every decoder must return an error (or a partial, bounded result),
/// never trap, hang or grow without bound.
@Suite struct BadInputTests {
    typealias B = FrameBuilder

    // MARK: ByteReader

    @Test func byteReader_throwsTruncated_forShortInput() {
        let bytes: [UInt8] = [1, 2, 3]
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(throws: DecodeError.truncated(offset: 0, needed: 4, available: 3)) { try reader.readUInt32() }
            #expect((try? reader.readUInt16()) == 0x0102)
            #expect(throws: DecodeError.self) { try reader.readUInt16() }
            #expect(throws: DecodeError.self) { try reader.skip(2) }
            #expect(throws: DecodeError.self) { try reader.readBytes(-1) }
            #expect(throws: DecodeError.self) { try reader.seek(to: 4) }
            #expect((try? reader.readUInt8()) == 3)
            #expect(reader.isAtEnd)
            #expect(reader.peekUInt8() == nil)
        }
    }

    @Test func byteReader_readsBigEndian_forWideFields() {
        let bytes: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06]
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect((try? reader.readUInt64()) == 0x1234_5678_9ABC_DEF0)
            #expect((try? reader.readMAC()) == MACAddress(1, 2, 3, 4, 5, 6))
        }
    }

    // MARK: truncations of real-shaped frames

    static let sampleFrames: [(String, [UInt8])] = {
        let dhcp = B.udpFrame(
            sourceMAC: "00:0c:29:1f:74:06", sourceIP: "0.0.0.0", destinationIP: "255.255.255.255",
            sourcePort: 68, destinationPort: 67,
            payload: B.dhcp(
                op: 1, chaddr: "00:0c:29:1f:74:06",
                options: [
                    (53, [1]), (12, Array("host".utf8)), (55, [1, 3, 6]), (81, [4, 0, 0] + B.name("a.b")),
                ]))
        var mdns = B.dnsHeader(flags: 0x8400, questions: 0, answers: 3)
        mdns += B.record(B.name("_ipp._tcp.local"), type: 12, recordClass: 1, data: B.name("P._ipp._tcp.local"))
        mdns += B.record([0xC0, 0x1C], type: 33, data: B.be16(0) + B.be16(0) + B.be16(631) + B.name("p.local"))
        mdns += B.record(B.name("p.local"), type: 1, data: [10, 0, 0, 5])
        let mdnsFrame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "10.0.0.5", destinationIP: "224.0.0.251",
            sourcePort: 5353, destinationPort: 5353, payload: mdns)
        let ssdp = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "10.0.0.5", destinationIP: "239.255.255.250",
            sourcePort: 1900, destinationPort: 1900,
            payload: Array("NOTIFY * HTTP/1.1\r\nNT: a\r\nUSN: b\r\nNTS: ssdp:alive\r\nSERVER: s\r\n\r\n".utf8))
        let arp = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0806, vlans: [(0x88A8, 10), (0x8100, 20)],
            payload: B.arp(
                operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "10.0.0.5",
                targetMAC: "00:00:00:00:00:00", targetIP: "10.0.0.1"))
        let tcp = B.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
            payload: B.ipv4Packet(
                source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
                payload: B.tcp(
                    sourcePort: 40000, destinationPort: 443, flags: 0x12,
                    options: [2, 4, 5, 0xB4]),
                options: [1, 1, 1, 0]))
        let ndp = B.ethernet(
            source: "00:11:22:33:44:55", destination: "33:33:00:00:00:01", etherType: 0x86DD,
            payload: B.ipv6Packet(
                source: "fe80::1", destination: "ff02::1", nextHeader: 0,
                payload: [58, 0, 5, 2, 0, 0, 1, 0]
                    + [134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
                    + [1, 1] + B.mac("00:11:22:33:44:55")))
        return [("dhcp", dhcp), ("mdns", mdnsFrame), ("ssdp", ssdp), ("arp", arp), ("tcp", tcp), ("ndp", ndp)]
    }()

    @Test(arguments: sampleFrames.map(\.0))
    func frameDecoder_neverTraps_forEveryTruncation(name: String) {
        let frame = Self.sampleFrames.first { $0.0 == name }!.1
        let decoder = FrameDecoder(linkType: .ethernet)
        let full = decoder.decode(frame)
        #expect(full.error == nil, "\(name): \(String(describing: full.error))")
        #expect(!full.observations.isEmpty || name == "tcp", "\(name) decodes in full")
        var failures = 0
        for length in 0..<frame.count {
            let result = decoder.decode(Array(frame[..<length]), wireLength: frame.count)
            if result.error != nil { failures += 1 }
            #expect(result.summary.wireLength == frame.count)
            // Whatever a cut frame yields must be a subset of what the whole frame says.
            #expect(result.observations.allSatisfy { full.observations.contains($0) }, "\(name) cut at \(length)")
        }
        #expect(failures > 0, "\(name): some truncation must be reported as an error")
    }

    @Test func frameDecoder_reportsEthernetError_forRuntFrame() {
        let result = FrameDecoder(linkType: .ethernet).decode([0x00, 0x11, 0x22])
        #expect(result.error?.layer == .ethernet)
        #expect(result.summary.source == .zero)
    }

    // MARK: wrong length fields

    @Test func ipv4_rejects_forHeaderLengthBelowMinimum() {
        var packet = B.ipv4Packet(
            source: "10.0.0.1", destination: "10.0.0.2", protocolNumber: 17,
            payload: B.udp(sourcePort: 1, destinationPort: 2, payload: []))
        packet[0] = 0x44  // IHL 4 → 16 bytes
        let result = FrameDecoder(linkType: .ethernet).decode(
            B.ethernet(source: "00:11:22:33:44:55", etherType: 0x0800, payload: packet))
        #expect(result.error == DecodeFailure(layer: .ipv4, error: .invalidLength(field: "IPv4 header", value: 16)))
    }

    @Test func ipv4_rejects_forTotalLengthShorterThanHeader() {
        var packet = B.ipv4Packet(source: "10.0.0.1", destination: "10.0.0.2", protocolNumber: 17, payload: [])
        packet[2] = 0
        packet[3] = 10
        let result = FrameDecoder(linkType: .ethernet).decode(
            B.ethernet(source: "00:11:22:33:44:55", etherType: 0x0800, payload: packet))
        #expect(result.error?.layer == .ipv4)
    }

    @Test func ipv4_boundsPayloadByTotalLength_forEthernetPadding() {
        // A short UDP datagram padded to the 60-byte Ethernet minimum: padding is not payload.
        let packet = B.ipv4Packet(
            source: "10.0.0.1", destination: "10.0.0.2", protocolNumber: 17,
            payload: B.udp(sourcePort: 5353, destinationPort: 5353, payload: []))
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0800, payload: packet + [UInt8](repeating: 0xEE, count: 18))
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.summary.transport == 17)
        #expect(result.error == DecodeFailure(layer: .mdns, error: .truncated(offset: 0, needed: 2, available: 0)))
    }

    @Test func ipv4_carriesNoTransport_forNonFirstFragment() {
        let packet = B.ipv4Packet(
            source: "10.0.0.1", destination: "10.0.0.2", protocolNumber: 6,
            payload: B.tcp(sourcePort: 1, destinationPort: 2, flags: 2), fragmentOffset: 185)
        let result = FrameDecoder(linkType: .ethernet).decode(
            B.ethernet(source: "00:11:22:33:44:55", etherType: 0x0800, payload: packet))
        #expect(result.summary.ipVersion == 4)
        #expect(result.summary.transport == 0)
        #expect(result.summary.sourcePort == 0)
        #expect(result.error == nil)
    }

    @Test func udp_rejects_forLengthBelowHeader() {
        var udp = B.udp(sourcePort: 5353, destinationPort: 5353, payload: [1, 2, 3])
        udp[4] = 0
        udp[5] = 4
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0800,
            payload: B.ipv4Packet(source: "10.0.0.1", destination: "10.0.0.2", protocolNumber: 17, payload: udp))
        #expect(FrameDecoder(linkType: .ethernet).decode(frame).error?.layer == .udp)
    }

    @Test func tcp_rejects_forDataOffsetBelowFive() {
        var tcp = B.tcp(sourcePort: 1, destinationPort: 2, flags: 2)
        tcp[12] = 0x40
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0800,
            payload: B.ipv4Packet(source: "10.0.0.1", destination: "10.0.0.2", protocolNumber: 6, payload: tcp))
        #expect(
            FrameDecoder(linkType: .ethernet).decode(frame).error
                == DecodeFailure(layer: .tcp, error: .invalidLength(field: "TCP data offset", value: 16)))
    }

    @Test func vlan_rejects_forTooManyStackedTags() {
        let tags = [(tpid: Int, id: Int)](repeating: (0x8100, 5), count: 6)
        let frame = B.ethernet(source: "00:11:22:33:44:55", etherType: 0x0800, vlans: tags, payload: [])
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.error?.layer == .ethernet)
    }

    // MARK: IPv6 extension headers

    func ipv6Frame(extensions: [(UInt8, [UInt8])], upper: UInt8, payload: [UInt8]) -> [UInt8] {
        // Each entry: (type of this header, its body after next-header/length); chained in order.
        var bytes: [UInt8] = []
        for (index, entry) in extensions.enumerated() {
            let next = index + 1 < extensions.count ? extensions[index + 1].0 : upper
            bytes += [next] + entry.1
        }
        let first = extensions.first?.0 ?? upper
        return B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x86DD,
            payload: B.ipv6Packet(
                source: "fe80::1", destination: "fe80::2", nextHeader: first, payload: bytes + payload))
    }

    @Test func ipv6_walksEveryExtensionKind_toTransport() {
        let hop: (UInt8, [UInt8]) = (0, [0, 1, 4, 0, 0, 0, 0])
        let routing: (UInt8, [UInt8]) = (43, [0, 0, 0, 0, 0, 0, 0])
        let fragment: (UInt8, [UInt8]) = (44, [0, 0, 0, 0, 0, 0, 1])  // offset 0, M flag set
        let auth: (UInt8, [UInt8]) = (51, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])  // (1 + 2) * 4 = 12 bytes
        let destination: (UInt8, [UInt8]) = (60, [0, 1, 4, 0, 0, 0, 0])
        let frame = ipv6Frame(
            extensions: [hop, routing, fragment, auth, destination], upper: 17,
            payload: B.udp(sourcePort: 1234, destinationPort: 80, payload: []))
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.error == nil)
        #expect(result.summary.transport == 17)
        #expect(result.summary.destinationPort == 80)
        let header = frame.withUnsafeBytes { buffer -> IPv6Header? in
            var reader = ByteReader(buffer, offset: 14)
            return try? IPv6Header(from: &reader)
        }
        #expect(header?.extensionHeaders == [0, 43, 44, 51, 60])
    }

    @Test func ipv6_noTransport_forNonFirstFragment() {
        let fragment: (UInt8, [UInt8]) = (44, [0, 0x05, 0x00, 0, 0, 0, 1])  // offset 160
        let frame = ipv6Frame(
            extensions: [fragment], upper: 6, payload: B.tcp(sourcePort: 1, destinationPort: 2, flags: 2))
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.summary.ipVersion == 6)
        #expect(result.summary.transport == 0)
        #expect(result.error == nil)
    }

    @Test func ipv6_rejects_forExtensionChainLongerThanBound() {
        let hop: (UInt8, [UInt8]) = (60, [0, 1, 4, 0, 0, 0, 0])
        let chain = [(UInt8, [UInt8])](repeating: hop, count: IPv6Header.maximumExtensionHeaders + 1)
        let result = FrameDecoder(linkType: .ethernet).decode(
            ipv6Frame(
                extensions: chain, upper: 17,
                payload: B.udp(sourcePort: 1, destinationPort: 2, payload: [])))
        #expect(
            result.error
                == DecodeFailure(
                    layer: .ipv6,
                    error: .invalidLength(
                        field: "IPv6 extension header chain",
                        value: IPv6Header.maximumExtensionHeaders + 1)))
        #expect(result.summary.ipVersion == 6)
        #expect(result.summary.sourceIP == .v6(IPv6Address("fe80::1")!))
        #expect(result.summary.transport == 0)
        let atBound = [(UInt8, [UInt8])](repeating: hop, count: IPv6Header.maximumExtensionHeaders)
        #expect(
            FrameDecoder(linkType: .ethernet).decode(
                ipv6Frame(
                    extensions: atBound, upper: 17,
                    payload: B.udp(sourcePort: 1, destinationPort: 2, payload: []))
            ).error == nil)
    }

    @Test func ipv6_rejects_forExtensionLengthPastPayload() {
        let hop: (UInt8, [UInt8]) = (0, [200, 1, 4, 0, 0, 0, 0])  // claims 1608 bytes
        let result = FrameDecoder(linkType: .ethernet).decode(ipv6Frame(extensions: [hop], upper: 17, payload: []))
        #expect(result.error?.layer == .ipv6)
    }

    // MARK: DNS names

    func dnsMessage(body: [UInt8], questions: Int = 1) -> [UInt8] {
        B.dnsHeader(flags: 0x8400, questions: questions, answers: 0) + body
    }

    @Test func dnsName_rejects_forSelfPointer() {
        let message = dnsMessage(body: [0xC0, 12, 0, 1, 0, 1])  // the name at offset 12 points at itself
        #expect(throws: DecodeError.invalidName(reason: "compression pointer does not point backwards")) {
            try DNSMessage(parsing: message)
        }
    }

    @Test func dnsName_rejects_forTwoPointerCycle() {
        // Offset 12: label "a" then pointer to 18; offset 18: label "b" then pointer back to 12.
        let message = dnsMessage(body: [1, 0x61, 0xC0, 18, 0, 0] + [1, 0x62, 0xC0, 12, 0, 1, 0, 1])
        #expect(throws: DecodeError.self) { try DNSMessage(parsing: message) }
    }

    @Test func dnsName_rejects_forForwardPointer() {
        let message = dnsMessage(body: [0xC0, 20, 0, 1, 0, 1, 0, 0] + B.name("x"))
        #expect(throws: DecodeError.invalidName(reason: "compression pointer does not point backwards")) {
            try DNSMessage(parsing: message)
        }
    }

    @Test func dnsName_rejects_forPointerLoopBackIntoOwnLabels() {
        // Label "a" at 12 followed by a pointer to 12: backwards, but it would re-read itself forever.
        let message = dnsMessage(body: [1, 0x61, 0xC0, 12, 0, 1, 0, 1])
        #expect(throws: DecodeError.self) { try DNSMessage(parsing: message) }
    }

    @Test func dnsName_followsLongChain_upToHopLimit() throws {
        // A chain of single-label names, each pointing at the previous one.
        func chain(_ length: Int) -> (bytes: [UInt8], last: Int) {
            var body: [UInt8] = [1, 0x61, 0]  // offset 12: "a"
            var previous = 12
            for _ in 0..<length {
                let offset = 12 + body.count
                body += [1, 0x62, 0xC0, UInt8(previous)]
                previous = offset
            }
            return (body, previous)
        }
        let ok = chain(DNSName.maximumPointerHops)
        let okMessage = B.dnsHeader(flags: 0, questions: 0, answers: 0) + ok.bytes
        let reader = okMessage.withUnsafeBytes { buffer -> DNSName? in
            var cursor = ByteReader(buffer, offset: ok.last)
            return try? DNSName(from: &cursor)
        }
        #expect(reader?.labels.count == DNSName.maximumPointerHops + 1)
        let tooLong = chain(DNSName.maximumPointerHops + 1)
        let longMessage = B.dnsHeader(flags: 0, questions: 0, answers: 0) + tooLong.bytes
        longMessage.withUnsafeBytes { buffer in
            var cursor = ByteReader(buffer, offset: tooLong.last)
            #expect(throws: DecodeError.invalidName(reason: "too many compression pointers")) {
                try DNSName(from: &cursor)
            }
        }
    }

    @Test func dnsName_rejects_forNameLongerThan255() {
        let label = [UInt8](repeating: 0x61, count: 63)
        let body = ([63] + label) + ([63] + label) + ([63] + label) + ([63] + label) + [0, 0, 1, 0, 1]
        #expect(throws: DecodeError.invalidName(reason: "longer than 255 octets")) {
            try DNSMessage(parsing: dnsMessage(body: body))
        }
    }

    @Test func dnsName_rejects_forReservedLabelType() {
        #expect(throws: DecodeError.invalidName(reason: "reserved label type")) {
            try DNSMessage(parsing: dnsMessage(body: [0x41, 0, 0, 1, 0, 1]))
        }
    }

    @Test func dnsMessage_rejects_forCountsTheMessageCannotHold() {
        let message = B.dnsHeader(
            flags: 0x8400, questions: 0xFFFF, answers: 0xFFFF, authorities: 0xFFFF, additionals: 0xFFFF)
        #expect(throws: DecodeError.self) { try DNSMessage(parsing: message) }
    }

    @Test func dnsRecord_rejects_forRDLengthPastEnd() {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 1)
        message += B.name("a.local") + B.be16(1) + B.be16(1) + B.be32(0) + B.be16(400) + [10, 0, 0, 1]
        #expect(throws: DecodeError.self) { try DNSMessage(parsing: message) }
    }

    @Test func dnsRecord_rejects_forPTRNameOverrunningRDLength() {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 1)
        message += B.name("a.local") + B.be16(12) + B.be16(1) + B.be32(0) + B.be16(2) + B.name("longer.local")
        #expect(throws: DecodeError.invalidLength(field: "DNS RDATA", value: 2)) { try DNSMessage(parsing: message) }
    }

    @Test func dnsRecord_rejects_forTXTStringPastRDLength() {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 1)
        message += B.name("a.local") + B.be16(16) + B.be16(1) + B.be32(0) + B.be16(3) + [10, 0x61, 0x62, 0x63, 0x64]
        #expect(throws: DecodeError.self) { try DNSMessage(parsing: message) }
    }

    // MARK: DHCP

    @Test func dhcp_rejects_forOptionRunningPastEnd() {
        var message = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [1])], terminate: false)
        message += [12, 40, 0x61, 0x62]
        #expect(throws: DecodeError.invalidLength(field: "DHCP option", value: 40)) {
            try DHCPv4Message(parsing: message)
        }
        let frame = B.udpFrame(
            sourceMAC: "00:0c:29:1f:74:06", sourceIP: "0.0.0.0", destinationIP: "255.255.255.255",
            sourcePort: 68, destinationPort: 67, payload: message)
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.error?.layer == .dhcp)
        #expect(result.discovery == .dhcp)
        #expect(result.observations.isEmpty)
    }

    @Test func dhcp_rejects_forBadMagicCookie() {
        var message = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [1])])
        message[236] = 0
        #expect(throws: DecodeError.self) { try DHCPv4Message(parsing: message) }
    }

    @Test func dhcp_ignoresDataAfterEnd_andSkipsPads() throws {
        var message = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [1])], terminate: false)
        message += [0, 0, 55, 2, 1, 3, 0, 255, 12, 200]
        let decoded = try DHCPv4Message(parsing: message)
        #expect(decoded.options.map(\.code) == [53, 55])
        #expect(decoded.parameterRequestList == [1, 3])
    }

    /// RFC 3396: an option too long for one instance is split across several, concatenated in order;
    /// one that is not split reads as it is.
    @Test func dhcp_splitOption_readsConcatenated() throws {
        let message = B.dhcp(
            op: 1, chaddr: "00:0c:29:1f:74:06",
            options: [(12, Array("living-".utf8)), (53, [3]), (55, [1, 3]), (12, Array("room-tv".utf8)), (55, [6])])
        let decoded = try DHCPv4Message(parsing: message)
        #expect(decoded.hostname == "living-room-tv")
        #expect(decoded.parameterRequestList == [1, 3, 6])
        #expect(decoded.messageType == 3)
        #expect(decoded.option(50) == nil)
    }

    @Test func dhcp_keepsOverloadOptionWithoutFollowingIt() throws {
        let message = B.dhcp(op: 2, chaddr: "00:0c:29:1f:74:06", options: [(53, [5]), (52, [3]), (54, [10, 0, 0, 1])])
        let decoded = try DHCPv4Message(parsing: message)
        #expect(decoded.options.map(\.code) == [53, 52, 54])
        #expect(decoded.serverIdentifier == IPv4Address("10.0.0.1"))
    }

    @Test func dhcp_ignoresMalformedFixedSizeOptions() throws {
        let message = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [1, 2]), (50, [10, 0]), (57, [1])])
        let decoded = try DHCPv4Message(parsing: message)
        #expect(decoded.messageType == nil)
        #expect(decoded.requestedAddress == nil)
        #expect(decoded.maximumMessageSize == nil)
    }

    @Test func dhcp_capsHostnameAndStripsNULs() throws {
        let long = [UInt8](repeating: 0x61, count: 255)
        let message = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [1]), (12, long), (60, [0x61, 0, 0])])
        let decoded = try DHCPv4Message(parsing: message)
        #expect(decoded.hostname?.utf8.count == 255)
        #expect(decoded.vendorClass == "a")
    }

    // MARK: SSDP

    @Test func ssdp_parses_withoutCRLF() throws {
        let message = try SSDPMessage(parsing: Array("NOTIFY * HTTP/1.1\nNT: upnp:rootdevice\nNTS: ssdp:alive".utf8))
        #expect(message.kind == .notify)
        #expect(message.notificationType == "upnp:rootdevice")
        #expect(message.notificationSubtype == "ssdp:alive")
    }

    @Test func ssdp_parsesStartLineOnly_withoutAnyLineBreak() throws {
        let message = try SSDPMessage(parsing: Array("M-SEARCH * HTTP/1.1".utf8))
        #expect(message.kind == .search)
        #expect(message.headers.isEmpty)
    }

    @Test func ssdp_rejects_forGarbage() {
        #expect(throws: DecodeError.self) { try SSDPMessage(parsing: [0xFF, 0x00, 0x13]) }
        #expect(throws: DecodeError.self) { try SSDPMessage(parsing: []) }
        #expect(throws: DecodeError.self) { try SSDPMessage(parsing: Array("HTTP/1.1 2x0 OK\r\n".utf8)) }
        #expect(throws: DecodeError.self) { try SSDPMessage(parsing: Array("HTTP/1.1".utf8)) }
    }

    @Test func ssdp_capsHeaderCountAndValueLength() throws {
        var text = "NOTIFY * HTTP/1.1\r\nSERVER: " + String(repeating: "x", count: 5000) + "\r\n"
        for index in 0..<200 { text += "X-\(index): v\r\n" }
        let message = try SSDPMessage(parsing: Array(text.utf8))
        #expect(message.headers.count == SSDPMessage.maximumHeaders)
        #expect(message.server?.utf8.count == 1024)
    }

    @Test func ssdp_matchesHeaderNamesCaseInsensitively() throws {
        let message = try SSDPMessage(
            parsing: Array("HTTP/1.1 200 OK\r\nsT: x\r\nUsN: y\r\nlocation:  http://a/ \r\n\r\nST: ignored".utf8))
        #expect(message.kind == .response(status: 200))
        #expect(message.searchTarget == "x")
        #expect(message.uniqueServiceName == "y")
        #expect(message.location == "http://a/")
        #expect(message.headers.count == 3)
    }

    // MARK: NDP

    @Test func ndp_rejects_forZeroLengthOption() {
        let icmp: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + B.ipv6("fe80::2") + [1, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: DecodeError.invalidLength(field: "NDP option", value: 0)) { try ICMPv6Message(parsing: icmp) }
    }

    @Test func ndp_rejects_forOptionPastEnd() {
        let icmp: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + B.ipv6("fe80::2") + [1, 4, 0, 0, 0, 0, 0, 0]
        #expect(throws: DecodeError.self) { try ICMPv6Message(parsing: icmp) }
    }

    @Test func frameDecoder_capsObservations_forQueryWithHundredsOfQuestions() {
        var message = B.dnsHeader(flags: 0, questions: 300, answers: 0)
        for index in 0..<300 { message += B.name("_s\(index)._tcp.local") + B.be16(12) + B.be16(1) }
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "10.0.0.5", destinationIP: "224.0.0.251",
            sourcePort: 5353, destinationPort: 5353, payload: message)
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.error == nil)
        #expect(result.observations.count == FrameDecoder.maximumObservationsPerFrame)
    }

    // MARK: LLDP, CDP, NBNS

    @Test func lldp_rejects_forTLVPastEnd() {
        // System name TLV (type 5) claiming 40 bytes with 3 present.
        #expect(throws: DecodeError.self) { try LLDPPacket(parsing: [0x0A, 40, 0x61, 0x62, 0x63]) }
    }

    @Test func lldp_rejects_forManagementAddressLengthTooShort() {
        #expect(throws: DecodeError.invalidLength(field: "LLDP management address", value: 1)) {
            try LLDPPacket(parsing: [0x10, 2, 1, 1])
        }
    }

    @Test func lldp_stopsAtEndTLV_ignoringTrailingBytes() throws {
        let packet = try LLDPPacket(parsing: [0x0A, 1, 0x61, 0, 0, 0xFF, 0xFF, 0xFF])
        #expect(packet.systemName == "a")
    }

    @Test func cdp_rejects_forTLVLengthBelowHeader() {
        #expect(throws: DecodeError.invalidLength(field: "CDP TLV", value: 3)) {
            try CDPPacket(parsing: [2, 180, 0, 0, 0, 1, 0, 3])
        }
    }

    @Test func cdp_boundsAddressCount_forHugeDeclaredCount() {
        // 0xFFFFFFFF addresses declared, none present: a truncation error, not a long loop.
        #expect(throws: DecodeError.self) {
            try CDPPacket(parsing: [2, 180, 0, 0, 0, 2, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF])
        }
    }

    @Test func nbns_rejects_forCountsTheMessageCannotHold() {
        #expect(throws: DecodeError.self) {
            try NBNSMessage(parsing: B.dnsHeader(flags: 0x2800, questions: 0xFFFF, answers: 0))
        }
    }

    @Test func nbns_leavesNameEmpty_forNonNetBIOSEncoding() throws {
        let message = try NBNSMessage(
            parsing: B.dnsHeader(flags: 0x2800, questions: 1, answers: 0) + B.name("plain") + [0, 0x20, 0, 1])
        #expect(message.name == nil)
    }
}
