import LanscopeCore
import PacketDecoding
import Testing

/// Hostile and broken client-signal input: truncations, lengths that lie, zero-length options.
/// Every decoder returns an error or a bounded partial result — never a trap or a made-up fact.
@Suite struct ClientBadInputTests {
    typealias B = FrameBuilder

    static let seeds = [
        "dhcpv6-solicit", "tcp-syn", "tcp-syn-ipv6", "dns-query", "tls-clienthello", "http-request", "ndp-ra-prefix",
        "lldp-med",
    ]

    @Test(arguments: seeds)
    func clientSeed_everyTruncation_yieldsErrorOrSubset(name: String) throws {
        let frame = try FuzzSeedTests.seed(name)
        let decoder = FrameDecoder(linkType: .ethernet)
        let full = decoder.decode(frame).observations
        var failures = 0
        for length in 0..<frame.count {
            let result = decoder.decode(Array(frame[..<length]), wireLength: frame.count)
            if result.error != nil { failures += 1 }
            // A frame cut by the snap length never yields a fact the whole frame does not.
            #expect(result.observations.allSatisfy { full.contains($0) }, "\(name) cut at \(length)")
        }
        #expect(failures > 0, "\(name): some truncation must be reported as an error")
    }

    /// The same hello or head carried whole in a shorter segment (the rest follows in the next
    /// one): what the segment holds is kept, and a hello without its end has no JA4.
    @Test(arguments: ["tls-clienthello", "http-request"])
    func clientSeed_continuedInNextSegment_yieldsConsistentPart(name: String) throws {
        let frame = try FuzzSeedTests.seed(name)
        let payloadStart = 14 + 20 + 20
        let whole = FrameDecoder(linkType: .ethernet).decode(frame).observations.map(\.fact)
        var partials = 0
        for cut in (payloadStart + 6)..<frame.count {
            let segment = B.ethernet(
                source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
                payload: B.ipv4Packet(
                    source: "192.168.7.10", destination: "192.168.7.1", protocolNumber: 6,
                    payload: B.tcp(sourcePort: 40002, destinationPort: 443, flags: 0x18)
                        + Array(frame[payloadStart..<cut])))
            let result = FrameDecoder(linkType: .ethernet).decode(segment)
            #expect(result.error == nil, "\(name) segment of \(cut - payloadStart) bytes")
            for fact in result.observations.map(\.fact) where !whole.contains(fact) {
                switch (fact, whole.first) {
                case (.tlsClient(let part), .tlsClient(let all)?):
                    #expect(part.ja4.isEmpty && (part.serverName == nil || part.serverName == all.serverName))
                    #expect(all.alpn.starts(with: part.alpn))
                    partials += 1
                case (.httpClient(let part), .httpClient(let all)?):
                    #expect(part.userAgent == nil || part.userAgent == all.userAgent)
                    #expect(part.host == nil || part.host == all.host)
                    partials += 1
                default:
                    Issue.record("\(name) segment of \(cut - payloadStart) bytes: \(fact)")
                }
            }
        }
        #expect(partials > 0, "\(name): some segment must give a partial fact")
    }

    // MARK: DHCPv6

    static func dhcpv6Frame(_ message: [UInt8]) -> [UInt8] {
        B.ethernet(
            source: "00:11:22:33:44:55", destination: "33:33:00:01:00:02", etherType: 0x86DD,
            payload: B.ipv6Packet(
                source: "fe80::1", destination: "ff02::1:2", nextHeader: 17,
                payload: B.udp(sourcePort: 546, destinationPort: 547, payload: message)))
    }

    @Test(
        arguments: [
            ("option longer than the message", [1, 0, 0, 1] + B.be16(6) + B.be16(40) + [0, 23]),
            ("DUID of one byte", [1, 0, 0, 1] + B.be16(1) + B.be16(1) + [0]),
            ("odd ORO", [1, 0, 0, 1] + B.be16(6) + B.be16(3) + [0, 23, 0]),
            ("FQDN label over 63", [1, 0, 0, 1] + B.be16(39) + B.be16(3) + [0, 64, 0x61]),
            (
                "vendor class data longer than option",
                [1, 0, 0, 1] + B.be16(16) + B.be16(7) + [0, 0, 1, 55, 0, 9, 0x41]
            ),
        ] as [(String, [UInt8])])
    func dhcpv6_rejects_lyingLengths(label: String, message: [UInt8]) {
        let result = FrameDecoder(linkType: .ethernet).decode(Self.dhcpv6Frame(message))
        #expect(result.error?.layer == .dhcpv6, "\(label)")
        #expect(result.observations.isEmpty, "\(label)")
    }

    @Test func dhcpv6_zeroLengthOptions_areEmptyNotErrors() {
        // Elapsed time with no value and an empty ORO: odd but well-formed lengths.
        let message: [UInt8] = [11, 0, 0, 1] + B.be16(6) + B.be16(0) + B.be16(39) + B.be16(1) + [0]
        let result = FrameDecoder(linkType: .ethernet).decode(Self.dhcpv6Frame(message))
        #expect(result.error == nil)
        #expect(result.observations.map(\.fact) == [.dhcpv6Client(DHCPv6ClientFingerprint(messageType: 11))])
    }

    @Test func dhcpv6_serverAndRelayMessages_nameNoOne() {
        for type: UInt8 in [2, 7, 12, 13] {
            let message: [UInt8] = [type] + [UInt8](repeating: 0, count: 33)
            let result = FrameDecoder(linkType: .ethernet).decode(Self.dhcpv6Frame(message))
            #expect(result.discovery == .dhcpv6 && result.observations.isEmpty, "type \(type)")
        }
    }

    // MARK: TCP SYN options

    static func synFrame(options: [UInt8]) -> [UInt8] {
        B.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
            payload: B.ipv4Packet(
                source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
                payload: B.tcp(sourcePort: 40000, destinationPort: 443, flags: 0x02, options: options)))
    }

    @Test(arguments: [
        ("zero-length option", [2, 0, 1, 1] as [UInt8]), ("length one", [8, 1, 1, 1]),
        ("length past the header", [2, 4, 5, 0xB4, 8, 10, 0, 0]),
    ])
    func tcpSYN_rejects_badOptionLengths(label: String, options: [UInt8]) {
        let result = FrameDecoder(linkType: .ethernet).decode(Self.synFrame(options: options))
        #expect(result.error?.layer == .tcp, "\(label)")
        #expect(result.observations.isEmpty, "\(label)")
    }

    @Test func tcpSYN_withoutOptions_hasEmptyOptionList() {
        let result = FrameDecoder(linkType: .ethernet).decode(Self.synFrame(options: []))
        #expect(
            result.observations.map(\.fact) == [
                .tcpSignature(TCPSignature(ipVersion: 4, ttl: 64, dontFragment: false, window: 65535, options: []))
            ])
    }

    @Test func tcpSYN_optionsCutBySnapLength_isAnError() {
        let frame = Self.synFrame(options: [2, 4, 5, 0xB4, 1, 1, 4, 2])
        let result = FrameDecoder(linkType: .ethernet).decode(Array(frame.dropLast(3)), wireLength: frame.count)
        #expect(result.error?.layer == .tcp)
        #expect(result.observations.isEmpty)
    }

    // MARK: TLS

    static func tlsFrame(_ payload: [UInt8]) -> [UInt8] {
        B.ethernet(
            source: "00:11:22:33:44:55", destination: "00:aa:bb:cc:dd:ee", etherType: 0x0800,
            payload: B.ipv4Packet(
                source: "10.0.0.5", destination: "10.0.0.1", protocolNumber: 6,
                payload: B.tcp(sourcePort: 40000, destinationPort: 443, flags: 0x18) + payload))
    }

    /// A whole minimal ClientHello record around `extensions`, with `cipherBytes` as the cipher list.
    static func hello(cipherBytes: [UInt8] = [0x13, 0x01], extensions: [UInt8], extensionLength: Int? = nil) -> [UInt8]
    {
        var body = B.be16(0x0303) + [UInt8](repeating: 7, count: 32) + [0]
        body += B.be16(cipherBytes.count) + cipherBytes + [1, 0]
        body += B.be16(extensionLength ?? extensions.count) + extensions
        let handshake = [1, 0] + B.be16(body.count) + body
        return [22, 3, 1] + B.be16(handshake.count) + handshake
    }

    @Test func tls_rejects_extensionLongerThanCompleteHello() {
        // The record is all there, so running out of bytes is a lie, not a cut capture.
        let payload = Self.hello(extensions: B.be16(0) + B.be16(50) + [0, 0])
        let result = FrameDecoder(linkType: .ethernet).decode(Self.tlsFrame(payload))
        #expect(result.error?.layer == .tls)
        #expect(result.observations.isEmpty)
    }

    @Test func tls_rejects_oddCipherListAndShortRecord() {
        let odd = Self.hello(cipherBytes: [0x13, 0x01, 0x13], extensions: [])
        #expect(FrameDecoder(linkType: .ethernet).decode(Self.tlsFrame(odd)).error?.layer == .tls)
        let short: [UInt8] = [22, 3, 1, 0, 2, 1, 0]
        #expect(FrameDecoder(linkType: .ethernet).decode(Self.tlsFrame(short)).error?.layer == .tls)
    }

    @Test func tls_zeroLengthExtensions_countButCarryNothing() throws {
        // Empty SNI and ALPN extension bodies are malformed; an empty extension of another type is not.
        let payload = Self.hello(extensions: B.be16(0x0017) + B.be16(0) + B.be16(0x0023) + B.be16(0))
        let hello = try TLSClientHello(parsing: payload)
        #expect(hello.isComplete && hello.extensions == [0x17, 0x23])
        #expect(hello.ja4.hasPrefix("t12i010200_"))
        let emptySNI = Self.hello(extensions: B.be16(0) + B.be16(0))
        #expect(throws: DecodeError.self) { try TLSClientHello(parsing: emptySNI) }
    }

    @Test func tls_rejects_tooManyExtensions() {
        var extensions: [UInt8] = []
        for index in 0..<600 { extensions += B.be16(0x0100 + index) + B.be16(0) }
        let payload = Self.hello(extensions: extensions)
        #expect(throws: DecodeError.self) { try TLSClientHello(parsing: payload) }
    }

    @Test func tls_helloSplitAcrossRecords_isJoined() throws {
        let whole = Self.hello(extensions: B.be16(0x0017) + B.be16(0))
        let handshake = Array(whole[5...])
        let split =
            [22, 3, 1] + B.be16(10) + Array(handshake[..<10]) + [22, 3, 1] + B.be16(handshake.count - 10)
            + Array(handshake[10...])
        #expect(try TLSClientHello(parsing: split) == TLSClientHello(parsing: whole))
        var wrongType = split
        wrongType[5 + 10] = 23  // application data cannot continue a handshake
        #expect(throws: DecodeError.self) { try TLSClientHello(parsing: wrongType) }
    }

    @Test func tls_serverHelloAndOtherRecords_areNotLookedAt() {
        var serverHello = Self.hello(extensions: [])
        serverHello[5] = 2
        let result = FrameDecoder(linkType: .ethernet).decode(Self.tlsFrame(serverHello))
        #expect(result.discovery == nil && result.error == nil && result.observations.isEmpty)
    }

    // MARK: HTTP

    @Test(arguments: [
        "EHLO mail.example.com\r\n", "DESCRIBE rtsp://cam/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n", "GET /\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n", "get / HTTP/1.1\r\nHost: a\r\n\r\n",
        "AVERYLONGMETHODNAMEXYZ / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1",
    ])
    func http_notAnHTTP1RequestLine_isIgnored(text: String) {
        let result = FrameDecoder(linkType: .ethernet).decode(Self.tlsFrame(Array(text.utf8)))
        #expect(result.discovery == nil && result.error == nil && result.observations.isEmpty, "\(text)")
    }

    @Test func http_foldedAndOddLines_areHandled() throws {
        let text =
            "POST /x HTTP/1.0\nno colon here\r\nUSER-AGENT:  Agent/1\r\n\tcontinued  \r\nhost:h.example\r\n"
            + "User-Agent: second\r\n\r\nUser-Agent: body"
        let head = try #require(HTTPRequestHead(parsing: Array(text.utf8)))
        #expect(head.method == "POST" && head.version == "HTTP/1.0")
        #expect(head.userAgent == "Agent/1 continued")
        #expect(head.host == "h.example")
    }

    @Test func http_headLongerThanScanLimit_keepsWhatCameFirst() throws {
        let filler = String(repeating: "X-Pad: " + String(repeating: "p", count: 90) + "\r\n", count: 200)
        let text = "GET / HTTP/1.1\r\nHost: first\r\n" + filler + "User-Agent: too-late\r\n\r\n"
        let head = try #require(HTTPRequestHead(parsing: Array(text.utf8)))
        #expect(head.host == "first" && head.userAgent == nil)
    }

    // MARK: DNS

    static func dnsFrame(_ message: [UInt8]) -> [UInt8] {
        B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", destinationMAC: "00:aa:bb:cc:dd:ee", sourceIP: "10.0.0.5",
            destinationIP: "10.0.0.1", sourcePort: 40000, destinationPort: 53, payload: message)
    }

    @Test func dns_rejects_questionCountTheMessageCannotHold() {
        let message =
            B.dnsHeader(flags: 0x0100, questions: 500, answers: 0) + B.name("a.example") + B.be16(1) + B.be16(1)
        let result = FrameDecoder(linkType: .ethernet).decode(Self.dnsFrame(message))
        #expect(
            result.error == DecodeFailure(layer: .dns, error: .invalidLength(field: "DNS question count", value: 500)))
    }

    @Test func dns_rejects_pointerLoop() {
        let message = B.dnsHeader(flags: 0x0100, questions: 1, answers: 0) + [0xC0, 12] + B.be16(1) + B.be16(1)
        let result = FrameDecoder(linkType: .ethernet).decode(Self.dnsFrame(message))
        #expect(result.error?.layer == .dns && result.observations.isEmpty)
    }

    @Test func dns_manyQuestions_areCappedPerFrame() {
        var message = B.dnsHeader(flags: 0x0100, questions: 100, answers: 0)
        for index in 0..<100 { message += B.name("host\(index).example") + B.be16(1) + B.be16(1) }
        let result = FrameDecoder(linkType: .ethernet).decode(Self.dnsFrame(message))
        #expect(result.error == nil)
        #expect(result.observations.count == FrameDecoder.maximumObservationsPerFrame)
    }

    @Test func dns_llmnrAndRootQueries_areNotDNSQueries() {
        let message = B.dnsHeader(flags: 0, questions: 1, answers: 0) + [0] + B.be16(2) + B.be16(1)
        #expect(FrameDecoder(linkType: .ethernet).decode(Self.dnsFrame(message)).observations.isEmpty)
        let llmnr = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "10.0.0.5", destinationIP: "224.0.0.252", sourcePort: 40000,
            destinationPort: 5355,
            payload: B.dnsHeader(flags: 0, questions: 1, answers: 0) + B.name("x") + [0, 1, 0, 1])
        let result = FrameDecoder(linkType: .ethernet).decode(llmnr)
        #expect(result.discovery == nil && result.observations.isEmpty)
    }

    // MARK: RA and LLDP-MED

    @Test func ra_rejects_zeroLengthOption() throws {
        var frame = try FuzzSeedTests.seed("ndp-ra-prefix")
        frame[14 + 40 + 16 + 1] = 0  // the source link-layer option's length
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.error?.layer == .ndp && result.observations.isEmpty)
    }

    @Test func ra_prefixLengthOver128_isSkipped() throws {
        var frame = try FuzzSeedTests.seed("ndp-ra-prefix")
        frame[14 + 40 + 16 + 8 + 2] = 200
        let facts = FrameDecoder(linkType: .ethernet).decode(frame).observations.map(\.fact)
        #expect(
            facts.contains(
                .routerAdvertisement(RouterAdvertisement(routerLifetime: 1800, managed: true, otherConfiguration: true))
            ))
    }

    @Test func lldpMED_malformedTIATLVs_areSkipped_othersKept() throws {
        func tlv(_ type: Int, _ value: [UInt8]) -> [UInt8] { B.be16(type << 9 | value.count) + value }
        let lldp =
            tlv(1, [4] + B.mac("00:11:22:33:44:55")) + tlv(2, [3] + B.mac("00:11:22:33:44:55")) + tlv(3, [0, 120])
            + tlv(5, Array("sw".utf8)) + tlv(127, [0x00, 0x12]) + tlv(127, [0x00, 0x12, 0xBB, 1, 0])
            + tlv(127, [0x00, 0x12, 0xBB, 10]) + tlv(0, [])
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", destination: "01:80:c2:00:00:0e", etherType: 0x88CC, payload: lldp)
        let result = FrameDecoder(linkType: .ethernet).decode(frame)
        #expect(result.error == nil)
        // A zero-length model TLV is an empty model: the device said it has none.
        #expect(
            result.observations.map(\.fact) == [
                .hostname("sw", via: .lldp), .inventory(DeviceInventory(via: .lldp, model: "")),
            ])
    }
}
