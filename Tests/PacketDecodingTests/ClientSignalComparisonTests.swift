import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// The client-side decoders (DHCPv6, TCP SYN, DNS queries, HTTP request heads, router
/// advertisements, LLDP-MED and CDP inventory) on real captures, field by field against tshark,
/// and the facts the frame decoder draws from them.
@Suite struct ClientSignalComparisonTests {
    static let dhcpv6Files = CorpusComparisonTests.folder("dhcpv6")
    /// The pcpp option samples hold no SYN without ACK, and zeek's fragmented SYN is a fragment.
    static let synFiles =
        CorpusComparisonTests.folder("tcp").filter {
            ![
                "tcp/pcpp__TcpPacketWithOptions.pcap", "tcp/pcpp__TcpPacketWithOptions2.pcap",
                "tcp/zeek__fragmented-syn.pcap",
            ]
            .contains($0)
        } + ["tls/ja4__latest.pcapng", "http/zeek__get.pcap", "mixed/ndpi__iphone.pcap", "mixed/ndpi__android.pcap"]
    static let dnsFiles = [
        "mixed/ndpi__iphone.pcap", "mixed/ndpi__android.pcap", "mixed/zeek__wikipedia.pcap",
        "iot/iotsentinel__HueBridge__Setup-A-1-STA.pcap", "tls/ja4__latest.pcapng",
    ]
    /// Captures with HTTP requests (ndpi__http_ipv6 and tcpdump__ipv4_tcp_http_xml hold none).
    static let httpFiles = CorpusComparisonTests.folder("http").filter {
        !["http/ndpi__http_ipv6.pcap", "http/tcpdump__ipv4_tcp_http_xml.pcap"].contains($0)
    }
    static let raFiles = [
        "mixed/ndpi__anyconnect-vpn.pcap",
        "ndp/packetnet__ipv6_redirect.pcap", "ndp/tcpdump__icmpv6-ra-pref64.pcap", "ndp/tcpdump__icmpv6.pcap",
        "ndp/tcpdump__icmpv6_opt24.pcap", "ndp/zeek__icmp6-nd-options.pcap", "ndp/zeek__icmp6-router-advert.pcap",
    ]
    static let lldpMEDFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lldp-med-inventory.pcap").path
    /// CDP inside ERSPAN is not on this link and yields nothing.
    static let inventoryFiles =
        [lldpMEDFixture, "lldp/arkime__wireshark-lldp.pcap"]
        + LinkDiscoveryComparisonTests.cdpFiles.filter { !$0.contains("erspan") }

    static func facts(_ result: DecodeResult, about mac: MACAddress) -> [Fact] {
        result.observations.filter { $0.mac == mac }.map(\.fact)
    }

    static func isTrue(_ value: String?) -> Bool { value == "1" || value == "True" }

    /// Expects `facts` about the frame's sender when its packet still has an initial TTL (a stack's own)
    /// and comes from a unicast MAC, and nothing otherwise (a router's MAC on a remote host's packet);
    /// returns whether the facts were attributed.
    static func expectAttribution(
        _ result: DecodeResult, ttl: UInt8, _ expected: [Fact], _ where_: String, _ what: String
    ) -> Bool {
        let sent = facts(result, about: result.summary.source)
        if [32, 64, 128, 255].contains(ttl) && result.summary.source.isUnicastDevice {
            #expect(sent == expected, "\(where_)")
            return true
        }
        #expect(sent.isEmpty, "\(where_): \(what) describes a remote host")
        return false
    }

    // MARK: DHCPv6

    @Test(.needsTshark, arguments: dhcpv6Files)
    func dhcpv6_clientOptions_matchTshark(file: String) throws {
        let rows = try Tshark.fields(
            file,
            [
                "dhcpv6.msgtype", "dhcpv6.duid.bytes", "dhcpv6.requested_option_code", "dhcpv6.vendorclass.enterprise",
                "dhcpv6.vendorclass.data", "dhcpv6.client_domain", "dhcpv6.client_fqdn_flags", "_ws.malformed",
            ], filter: "dhcpv6")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var clients = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [] else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let layers = Layers(frame.bytes, linkType: linkType)
            guard let udp = layers.udp, [546, 547].contains(udp.sourcePort), [546, 547].contains(udp.destinationPort)
            else { continue }
            let message = try DHCPv6Message(parsing: layers.payload)
            #expect(String(message.messageType) == row["dhcpv6.msgtype"]?.first, "\(where_)")
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .dhcpv6 && result.error == nil, "\(where_)")
            guard message.isClientMessage, let fingerprint = message.clientFingerprint else {
                // Server and relay messages say nothing about anyone here.
                #expect(result.observations.isEmpty, "\(where_): type \(message.messageType)")
                continue
            }
            // A client message is not relayed, so every tshark value is from its top level.
            let duid = message.clientDUID.map { $0.map { String(format: "%02x", $0) }.joined() }
            #expect(duid.map { (row["dhcpv6.duid.bytes"] ?? []).contains($0) } ?? true, "\(where_): DUID")
            #expect(
                message.optionRequest.map(String.init) == row["dhcpv6.requested_option_code"] ?? [], "\(where_): ORO")
            #expect(
                message.vendorEnterprise.map { [String($0)] } ?? [] == row["dhcpv6.vendorclass.enterprise"] ?? [],
                "\(where_)")
            if let vendor = message.vendorClass {
                #expect(row["dhcpv6.vendorclass.data"]?.first == vendor, "\(where_): vendor class")
            }
            #expect(message.fqdn.map { [$0] } ?? [] == row["dhcpv6.client_domain"] ?? [], "\(where_): FQDN")
            var expected: [Fact] = [.dhcpv6Client(fingerprint)]
            if let hostname = message.hostname { expected.append(.hostname(hostname, via: .dhcpv6)) }
            #expect(Self.facts(result, about: result.summary.source) == expected, "\(where_)")
            clients += 1
        }
        print("\(file): \(clients) DHCPv6 client messages compared")
        #expect(rows.isEmpty || !frames.isEmpty)
    }

    // MARK: TCP SYN

    @Test(.needsTshark, arguments: synFiles)
    func tcpSYN_signature_matchesTshark(file: String) throws {
        let rows = try Tshark.fields(
            file,
            [
                "ip.ttl", "ipv6.hlim", "ip.flags.df", "tcp.window_size_value", "tcp.option_kind",
                "tcp.options.mss_val", "tcp.options.wscale.shift", "ip.src", "ipv6.src", "ip.frag_offset",
                "_ws.malformed",
            ], filter: "tcp.flags.syn == 1 && tcp.flags.ack == 0")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        var attributed = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [],
                (row["ip.src"]?.count ?? 0) + (row["ipv6.src"]?.count ?? 0) == 1,
                row["ip.frag_offset"]?.first ?? "0" == "0"
            else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .tcp, "\(where_)")
            guard result.error == nil else {
                Issue.record("\(where_): \(String(describing: result.error))")
                continue
            }
            let layers = Layers(frame.bytes, linkType: linkType)
            let tcp = try #require(layers.tcp)
            let options = Array(frame.bytes[(frame.bytes.count - layers.payload.count - (tcp.headerLength - 20))...])
                .prefix(tcp.headerLength - 20)
            let ttl = layers.ipv4?.ttl ?? layers.ipv6!.hopLimit
            let signature = try TCPSignature(
                ipVersion: layers.ipv4 == nil ? 6 : 4, ttl: ttl, dontFragment: layers.ipv4?.dontFragment ?? false,
                window: tcp.window, parsingOptions: Array(options))
            #expect(String(signature.ttl) == (row["ip.ttl"] ?? row["ipv6.hlim"])?.first, "\(where_)")
            if layers.ipv4 != nil { #expect(signature.dontFragment == Self.isTrue(row["ip.flags.df"]?.first)) }
            #expect(String(signature.window) == row["tcp.window_size_value"]?.first, "\(where_)")
            // tshark lists every padding byte after an EOL as another EOL; the list ends at the first.
            var tsharkKinds = row["tcp.option_kind"] ?? []
            while tsharkKinds.count >= 2 && tsharkKinds.suffix(2) == ["0", "0"] { tsharkKinds.removeLast() }
            #expect(signature.options.map(String.init) == tsharkKinds, "\(where_)")
            #expect(signature.mss.map { [String($0)] } ?? [] == row["tcp.options.mss_val"] ?? [], "\(where_)")
            #expect(
                signature.windowScale.map { [String($0)] } ?? [] == row["tcp.options.wscale.shift"] ?? [], "\(where_)")
            if Self.expectAttribution(result, ttl: ttl, [.tcpSignature(signature)], where_, "a routed SYN") {
                attributed += 1
            }
            compared += 1
        }
        print("\(file): \(compared) SYNs compared, \(attributed) attributed to their sender")
        #expect(compared > 0, "\(file): no SYN compared")
    }

    // MARK: TCP SYN-ACK

    /// Captures with SYN-ACKs: a printer answering IPP, a camera answering HTTP, servers on and off the link.
    static let synAckFiles = [
        "iot/ndpi__ipp.pcap", "iot/iotsentinel__D-LinkCam__Setup-A-1-STA.pcap", "tcp/zeek__syn-synack.pcap",
        "mixed/ndpi__iphone.pcap", "http/zeek__get.pcap",
    ]

    @Test(.needsTshark, arguments: synAckFiles)
    func tcpSYNACK_serverPort_matchesTshark(file: String) throws {
        let rows = try Tshark.fields(
            file, ["ip.ttl", "ipv6.hlim", "tcp.srcport", "ip.src", "ipv6.src", "ip.frag_offset", "_ws.malformed"],
            filter: "tcp.flags.syn == 1 && tcp.flags.ack == 1")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        var attributed = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [],
                (row["ip.src"]?.count ?? 0) + (row["ipv6.src"]?.count ?? 0) == 1,
                row["ip.frag_offset"]?.first ?? "0" == "0",
                let port = row["tcp.srcport"]?.first.flatMap({ UInt16($0) }),
                let ttl = (row["ip.ttl"] ?? row["ipv6.hlim"])?.first.flatMap({ UInt8($0) })
            else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .tcp, "\(where_)")
            #expect(result.error == nil, "\(where_)")
            #expect(result.summary.sourcePort == port, "\(where_)")
            let service = ServiceAdvertisement(via: .tcp, type: "tcp/\(port)", port: port)
            if Self.expectAttribution(result, ttl: ttl, [.service(service)], where_, "a routed SYN-ACK") {
                attributed += 1
            }
            compared += 1
        }
        print("\(file): \(compared) SYN-ACKs compared, \(attributed) attributed to their sender")
        #expect(compared > 0, "\(file): no SYN-ACK compared")
    }

    // MARK: DNS

    @Test(.needsTshark, arguments: dnsFiles)
    func dnsQuery_names_matchTshark(file: String) throws {
        let rows = try Tshark.fields(
            file, ["dns.flags.response", "dns.flags.opcode", "dns.qry.name", "ip.ttl", "ipv6.hlim", "_ws.malformed"],
            filter: "dns && udp.dstport == 53")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var queries = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [], row["dns.qry.name"] != nil else {
                continue
            }
            let where_ = "\(file) frame \(frame.number)"
            let layers = Layers(frame.bytes, linkType: linkType)
            guard let udp = layers.udp, udp.destinationPort == 53, udp.sourcePort != 5353 else { continue }
            let query = try DNSQuery(parsing: layers.payload)
            #expect(
                (query.flags & 0x8000 != 0 ? "1" : "0")
                    == row["dns.flags.response"]?.first.map { Self.isTrue($0) ? "1" : "0" })
            #expect(
                query.questions.map { $0.name.labels.isEmpty ? "<Root>" : $0.name.description } == row["dns.qry.name"]
                    ?? [], "\(where_)")
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .dns && result.error == nil, "\(where_)")
            let ttl = layers.ipv4?.ttl ?? layers.ipv6?.hopLimit ?? 0
            let expected: [Fact] =
                query.isStandardQuery && [32, 64, 128, 255].contains(ttl)
                ? (row["dns.qry.name"] ?? []).map { $0.lowercased() }.filter {
                    !$0.hasSuffix(".in-addr.arpa") && !$0.hasSuffix(".ip6.arpa") && $0 != "<root>"
                }.reduce(into: [Fact]()) { facts, name in
                    if !facts.contains(.dnsQuery(name)) { facts.append(.dnsQuery(name)) }
                } : []
            #expect(Self.facts(result, about: result.summary.source) == expected, "\(where_)")
            if !expected.isEmpty { queries += 1 }
        }
        print("\(file): \(queries) DNS queries attributed")
        #expect(queries > 0, "\(file): no DNS query compared")
    }

    // MARK: HTTP

    @Test(.needsTshark, arguments: httpFiles)
    func httpRequest_headFields_matchTshark(file: String) throws {
        let rows = try Tshark.fields(
            file, ["http.request.method", "http.request.version", "http.user_agent", "http.host", "_ws.malformed"],
            filter: "http.request && tcp")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        var partial = 0
        for frame in frames {
            let layers = Layers(frame.bytes, linkType: linkType)
            guard layers.tcp != nil, layers.payload.withUnsafeBytes({ HTTPRequestHead.looksLikeRequest($0) }) else {
                continue
            }
            guard let head = HTTPRequestHead(parsing: layers.payload) else {
                partial += 1  // the request line itself continues in the next segment
                continue
            }
            let where_ = "\(file) frame \(frame.number)"
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .http, "\(where_)")
            let ttl = layers.ipv4?.ttl ?? layers.ipv6?.hopLimit ?? 0
            if [32, 64, 128, 255].contains(ttl), head.userAgent != nil || head.host != nil,
                result.summary.source.isUnicastDevice
            {
                #expect(
                    Self.facts(result, about: result.summary.source) == [.httpClient(head.fingerprint)], "\(where_)")
            }
            // tshark reports a head split over segments at its last one; compare whole heads here.
            guard layers.payload.count < HTTPRequestHead.maximumHeadBytes,
                layers.payload.windowsContain([13, 10, 13, 10]), let row = rows[frame.number],
                row["_ws.malformed"] ?? [] == []
            else {
                partial += 1
                continue
            }
            #expect([head.method] == row["http.request.method"], "\(where_)")
            #expect([head.version] == row["http.request.version"], "\(where_)")
            #expect(head.userAgent.map { [$0] } ?? [] == row["http.user_agent"] ?? [], "\(where_)")
            #expect(head.host.map { [$0] } ?? [] == row["http.host"] ?? [], "\(where_)")
            compared += 1
        }
        print("\(file): \(compared) request heads compared, \(partial) split or cut")
        #expect(compared + partial > 0, "\(file): no request head seen")
    }

    // MARK: Router advertisements

    @Test(.needsTshark, arguments: raFiles)
    func routerAdvertisement_matchesTshark(file: String) throws {
        let rows = try Tshark.fields(
            file,
            [
                "icmpv6.nd.ra.router_lifetime", "icmpv6.nd.ra.flag.m", "icmpv6.nd.ra.flag.o", "icmpv6.opt.prefix",
                "icmpv6.opt.prefix.length", "icmpv6.opt.type", "icmpv6.opt.linkaddr", "_ws.malformed",
            ], filter: "icmpv6.type == 134")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [],
                row["icmpv6.nd.ra.router_lifetime"]?.count == 1
            else { continue }
            let where_ = "\(file) frame \(frame.number)"
            // An RA tunnelled in IPv4 (6in4) is not this link's.
            guard let payload = Layers(frame.bytes, linkType: linkType).icmpv6Payload else { continue }
            guard let message = try? ICMPv6Message(parsing: payload) else {
                Issue.record("\(where_): tshark decoded this RA, we did not")
                continue
            }
            let advertisement = try #require(message.routerAdvertisement)
            #expect([String(advertisement.routerLifetime)] == row["icmpv6.nd.ra.router_lifetime"], "\(where_)")
            #expect(advertisement.managed == Self.isTrue(row["icmpv6.nd.ra.flag.m"]?.first), "\(where_)")
            #expect(advertisement.otherConfiguration == Self.isTrue(row["icmpv6.nd.ra.flag.o"]?.first), "\(where_)")
            // tshark files route-information prefixes (option 24) under the same fields: keep type 3's.
            var values = zip(row["icmpv6.opt.prefix"] ?? [], row["icmpv6.opt.prefix.length"] ?? []).makeIterator()
            var tsharkPrefixes: [String] = []
            for type in row["icmpv6.opt.type"] ?? [] where type == "3" || type == "24" {
                guard let (prefix, length) = values.next() else { break }
                if type == "3" { tsharkPrefixes.append("\(prefix)/\(length)") }
            }
            #expect(advertisement.prefixes == tsharkPrefixes, "\(where_)")
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            let sender = message.sourceLinkLayerAddress ?? result.summary.source
            if sender.isUnicastDevice {
                #expect(Self.facts(result, about: sender).contains(.routerAdvertisement(advertisement)), "\(where_)")
            }
            compared += 1
        }
        #expect(compared > 0, "\(file): no RA compared")
    }

    // MARK: LLDP-MED and CDP inventory

    @Test(.needsTshark, arguments: inventoryFiles)
    func inventory_matchesTshark(file: String) throws {
        let rows = try Tshark.fields(
            file,
            [
                "lldp.media.hardware", "lldp.media.firmware", "lldp.media.software", "lldp.media.manufacturer",
                "lldp.media.model", "lldp.media.subtype.class", "cdp.platform", "cdp.software_version", "_ws.malformed",
            ], filter: "lldp or cdp")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [] else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            guard result.error == nil, result.discovery == .lldp || result.discovery == .cdp else { continue }
            let inventories = Self.facts(result, about: result.summary.source).compactMap { fact -> DeviceInventory? in
                if case .inventory(let inventory) = fact { return inventory }
                return nil
            }
            var expected: DeviceInventory?
            if result.discovery == .lldp {
                let lldp = DeviceInventory(
                    via: .lldp, manufacturer: row["lldp.media.manufacturer"]?.first,
                    model: row["lldp.media.model"]?.first, hardwareRevision: row["lldp.media.hardware"]?.first,
                    firmwareRevision: row["lldp.media.firmware"]?.first,
                    softwareRevision: row["lldp.media.software"]?.first,
                    medDeviceClass: row["lldp.media.subtype.class"]?.first.flatMap { UInt8($0) })
                expected = lldp == DeviceInventory(via: .lldp) ? nil : lldp
            } else {
                // tshark splits the version text into its lines.
                let version = row["cdp.software_version"].map { $0.joined(separator: "\n") }
                if row["cdp.platform"]?.first != nil || version != nil {
                    expected = DeviceInventory(via: .cdp, model: row["cdp.platform"]?.first, softwareRevision: version)
                }
            }
            guard result.summary.source.isUnicastDevice else { continue }
            if var inventory = inventories.first, let wanted = expected, inventory.via == .cdp {
                // Compare CDP version text line by line, as tshark gives it.
                inventory.softwareRevision = inventory.softwareRevision?.split(whereSeparator: \.isNewline)
                    .joined(separator: "\n")
                #expect(inventory == wanted, "\(where_)")
            } else {
                #expect(inventories == (expected.map { [$0] } ?? []), "\(where_)")
            }
            compared += 1
        }
        print("\(file): \(compared) frames' inventory compared")
        #expect(compared > 0, "\(file): nothing compared")
    }
}

extension Array where Element == UInt8 {
    func windowsContain(_ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
