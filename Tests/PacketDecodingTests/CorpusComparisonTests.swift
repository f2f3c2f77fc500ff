import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// Our decodes of real captures compared, field by field, with what tshark reports for the same
/// frames. Skips (with a printed reason) when the corpus or tshark is absent.
@Suite struct CorpusComparisonTests {
    static let arpFiles =
        [
            "arp/zeek__arp-who-has.pcap", "arp/pcpp__ArpRequestWithVlan.pcap", "vlan/tcpdump__802.1ad_QinQ.pcap",
            "dhcp/tcpdump__dhcp-rfc4388.pcap", "mixed/tcpdump__eapon1.pcap",
            "iot/iotsentinel__EdimaxCam1__Setup-A-1-STA.pcap",
            "mixed/pcpp__sll.pcap",
        ] + Self.folder("arp")

    static let dhcpFiles =
        Self.folder("dhcp") + [
            "iot/iotsentinel__EdnetCam1__Setup-A-1-STA.pcap", "iot/iotsentinel__SmarterCoffee__Setup-A-1-STA.pcap",
            "mixed/tcpdump__eapon1.pcap", "mixed/ndpi__iphone.pcap", "mixed/pcpp__sll.pcap",
            "lldp/tcpdump__dcb_pfc.pcap",
        ]

    static let mdnsFiles =
        Self.folder("mdns") + [
            "mixed/ndpi__iphone.pcap", "mixed/ndpi__android.pcap", "mixed/zeek__wikipedia.pcap",
            "iot/iotsentinel__HueBridge__Setup-A-1-STA.pcap", "iot/iotsentinel__EdimaxCam1__Setup-A-1-STA.pcap",
            "mixed/ndpi__telegram.pcap",
        ]

    static let ssdpFiles =
        Self.folder("ssdp") + [
            "mdns/zeek__home-multicast-short.pcap", "mixed/tcpdump__eapon1.pcap",
            "iot/iotsentinel__WeMoLink__Setup-A-1-STA.pcap",
            "iot/iotsentinel__HueBridge__Setup-A-1-STA.pcap", "mixed/ndpi__zoom.pcap", "tls/ja4__latest.pcapng",
        ]

    static let vlanFiles =
        Self.folder("vlan") + [
            "arp/pcpp__ArpRequestWithVlan.pcap", "cdp/pcpp__VlanPackets.pcap", "nbns/ndpi__netbios.pcap",
            "mixed/arkime__arkime_synthetic.pcap",
        ]

    static let ipv6ExtensionFiles = [
        "mixed/suricata__output-eve-ftp-data__input.pcap", "mixed/suricata__smb2-ntlmssp-negotiateflags__input.pcap",
        "mixed/ndpi__gnutella.pcap", "ndp/zeek__icmp6-nd-options.pcap", "nbns/pcpp__IgmpPackets.pcap",
        "ndp/tcpdump__icmpv6.pcap", "dhcpv6/ja4__dhcpv6.pcap",
    ]

    static let ndpFiles =
        Self.folder("ndp") + ["mixed/ndpi__iphone.pcap", "iot/iotsentinel__HueBridge__Setup-A-1-STA.pcap"]

    static let tcpFiles =
        Self.folder("tcp") + ["vlan/zeek__http-qinq-0.pcap", "mixed/ndpi__wa_voice.pcap", "http/zeek__get.pcap"]

    /// Readable, non-malformed Ethernet/SLL captures of one corpus folder.
    static func folder(_ name: String) -> [String] {
        Corpus.manifest.filter { entry in
            entry.path.hasPrefix(name + "/") && !entry.isMalformed
                && entry.linkTypes.allSatisfy { [1, 113, 276].contains($0) }
        }.map(\.path)
    }

    static func decoded(_ file: String) throws -> (LinkType, [Corpus.Frame]) {
        let (linkType, frames) = try Corpus.frames(file)
        return (linkType, frames)
    }

    // MARK: ARP

    @Test(.needsTshark, arguments: arpFiles)
    func arp_senderAndTargetFields_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(
            file,
            [
                "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
                "arp.hw.size", "arp.proto.size", "arp.hw.type", "arp.proto.type",
            ], filter: "arp")
        let (linkType, frames) = try Self.decoded(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number] else { continue }
            let layers = Layers(frame.bytes, linkType: linkType)
            let arpPayload = try #require(layers.arpPayload, "frame \(frame.number)")
            guard row["arp.hw.size"]?.first == "6", row["arp.proto.size"]?.first == "4",
                ["1", "6"].contains(row["arp.hw.type"]?.first), row["arp.proto.type"]?.first == "0x0800",
                let opcode = row["arp.opcode"]?.first, let senderMAC = row["arp.src.hw_mac"]?.first,
                let senderIP = row["arp.src.proto_ipv4"]?.first
            else {
                // Only Ethernet/IPv4 ARP is decoded; anything else must be rejected, not guessed at.
                #expect(throws: DecodeError.self) { try ARPPacket(parsing: arpPayload) }
                compared += 1
                continue
            }
            let packet = try ARPPacket(parsing: arpPayload)
            #expect(String(packet.operation) == opcode, "frame \(frame.number)")
            #expect(packet.senderMAC.description == senderMAC, "frame \(frame.number)")
            #expect(packet.senderIP.description == senderIP, "frame \(frame.number)")
            #expect(packet.targetIP.description == row["arp.dst.proto_ipv4"]?.first, "frame \(frame.number)")
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            let expected: [Observation] =
                packet.senderIP.isUnspecified || !packet.senderMAC.isUnicastDevice
                ? []
                : [
                    Observation(
                        mac: packet.senderMAC, time: frame.time, fact: .address(.v4(packet.senderIP), via: .arp))
                ]
            #expect(result.observations == expected, "frame \(frame.number)")
            compared += 1
        }
        #expect(compared == rows.count, "every ARP frame tshark saw was compared")
        #expect(compared > 0 || rows.isEmpty)
    }

    // MARK: DHCP

    @Test(.needsTshark, arguments: dhcpFiles)
    func dhcp_options_matchTshark(file: String) throws {
        try Tshark.require()
        let fields = [
            "dhcp.type", "dhcp.hw.mac_addr", "dhcp.option.dhcp", "dhcp.option.hostname",
            "dhcp.option.request_list_item",
            "dhcp.option.vendor_class_id", "dhcp.option.type", "dhcp.option.requested_ip_address",
            "dhcp.option.dhcp_max_message_size", "dhcp.option.dhcp_server_id", "dhcp.fqdn.name", "dhcp.ip.your",
            "dhcp.ip.client", "dhcp.option.router", "dhcp.ip.relay", "ip.src", "udp.dstport",
        ]
        let rows = try Tshark.fields(file, fields, filter: "dhcp")
        let (linkType, frames) = try Self.decoded(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        var fqdnCompared = 0
        var rolesCompared = 0
        defer {
            if fqdnCompared > 0 { print("\(file): \(fqdnCompared) option 81 names compared") }
            if rolesCompared > 0 { print("\(file): \(rolesCompared) DHCP server roles compared") }
        }
        for frame in frames {
            guard let row = rows[frame.number], row["dhcp.type"]?.count == 1 else { continue }
            let layers = Layers(frame.bytes, linkType: linkType)
            guard let udp = layers.udp, [67, 68].contains(udp.sourcePort), [67, 68].contains(udp.destinationPort) else {
                continue
            }
            let where_ = "\(file) frame \(frame.number)"
            let message: DHCPv4Message
            do {
                message = try DHCPv4Message(parsing: layers.payload)
            } catch {
                // tshark marks such packets malformed as well; we must fail cleanly, not guess.
                let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
                #expect(result.error?.layer == .dhcp, "\(where_): \(error)")
                continue
            }
            compared += 1
            #expect(String(message.op) == row["dhcp.type"]?.first, "\(where_)")
            #expect(message.messageType.map { [String($0)] } ?? [] == row["dhcp.option.dhcp"] ?? [], "\(where_)")
            if let mac = message.clientMAC { #expect(mac.description == row["dhcp.hw.mac_addr"]?.first, "\(where_)") }
            let tsharkCodes = (row["dhcp.option.type"] ?? []).compactMap(UInt8.init).filter { $0 != 0 && $0 != 255 }
            let ourCodes = message.options.map(\.code)
            if ourCodes.contains(52) {
                // tshark adds the options overloaded into sname/file; ours must appear in order among them.
                var remaining = tsharkCodes[...]
                let inOrder = ourCodes.allSatisfy { code in
                    guard let index = remaining.firstIndex(of: code) else { return false }
                    remaining = remaining[(index + 1)...]
                    return true
                }
                #expect(inOrder, "\(where_): option overload, \(ourCodes) vs \(tsharkCodes)")
            } else {
                #expect(ourCodes == tsharkCodes, "\(where_)")
            }
            #expect(
                (message.parameterRequestList ?? []).map(String.init) == row["dhcp.option.request_list_item"] ?? [],
                "\(where_)")
            if let hostname = message.hostname, hostname.allSatisfy({ $0.isASCII && !$0.isWhitespace || $0 == " " }) {
                #expect([hostname] == row["dhcp.option.hostname"], "\(where_)")
            } else if message.option(12) == nil {
                #expect(row["dhcp.option.hostname"] ?? [] == [], "\(where_)")
            }
            if let vendor = message.vendorClass, vendor.allSatisfy({ $0.isASCII && ($0 == " " || !$0.isWhitespace) }) {
                #expect([vendor] == row["dhcp.option.vendor_class_id"], "\(where_)")
            }
            #expect(
                message.requestedAddress.map { [$0.description] } ?? [] == row["dhcp.option.requested_ip_address"]
                    ?? [],
                "\(where_)")
            #expect(
                message.maximumMessageSize.map { [String($0)] } ?? [] == row["dhcp.option.dhcp_max_message_size"] ?? [],
                "\(where_)")
            #expect(
                message.serverIdentifier.map { [$0.description] } ?? [] == row["dhcp.option.dhcp_server_id"] ?? [],
                "\(where_)")
            if let fqdn = row["dhcp.fqdn.name"]?.first, !fqdn.isEmpty {
                #expect(message.clientFQDN == fqdn, "\(where_): option 81")
                fqdnCompared += 1
            } else if let fqdn = message.clientFQDN {
                #expect(row["dhcp.fqdn.name"]?.first == fqdn, "\(where_): option 81")
            }
            #expect(message.yourAddress.description == row["dhcp.ip.your"]?.first, "\(where_)")
            #expect(message.clientAddress.description == row["dhcp.ip.client"]?.first, "\(where_)")
            if let identifier = message.clientIdentifier, identifier.count == 7, identifier[0] == 1 {
                let mac = MACAddress(octets: identifier[1...])!.description
                #expect(row["dhcp.hw.mac_addr"]?.contains(mac) == true, "\(where_): option 61")
            }

            let overloaded = message.option(52) != nil
            if !overloaded {
                #expect(message.routers?.map(\.description) ?? [] == row["dhcp.option.router"] ?? [], "\(where_)")
            }

            // And the frame decoder attributes the fingerprint to chaddr, and a reply's role to its sender.
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .dhcp)
            if message.op == 2, let type = message.messageType, [2, 5, 6].contains(type), !overloaded {
                let routers = row["dhcp.option.router"] ?? []
                let own = (row["ip.src"] ?? []) + (row["dhcp.option.dhcp_server_id"] ?? [])
                let relayed = row["dhcp.ip.relay"]?.first.map { $0 != "0.0.0.0" } ?? false
                let expected: DHCPServerRole? =
                    relayed && row["udp.dstport"]?.first == "68"
                    ? .relay
                    : routers.isEmpty ? nil : routers.contains(where: own.contains) ? .gateway : .separate
                let stated = result.observations.compactMap { observation -> (DHCPServerRole?, [String])? in
                    guard case .dhcpServer(_, _, let role, let routers) = observation.fact else { return nil }
                    return (role, routers.map(\.description))
                }
                #expect(stated.map(\.0) == [expected], "\(where_): role")
                #expect(stated.map(\.1) == [Array(routers.prefix(DHCPServerRole.maximumRouters))], "\(where_): routers")
                if expected != nil { rolesCompared += 1 }
            }
            if message.op == 1, let type = message.messageType, [1, 3, 4, 7, 8].contains(type),
                let chaddr = message.clientMAC, chaddr.isUnicastDevice
            {
                #expect(
                    result.observations.contains(
                        Observation(
                            mac: chaddr, time: frame.time,
                            fact: .dhcpClient(message.clientFingerprint!))), "\(where_)")
            }
        }
        #expect(compared > 0 || rows.isEmpty, "\(file): no DHCP frame compared")
    }

    // MARK: mDNS

    @Test(.needsTshark, arguments: mdnsFiles)
    func mdns_records_matchTshark(file: String) throws {
        try Tshark.require()
        let fields = [
            "dns.flags.response", "dns.qry.name", "dns.resp.name", "dns.resp.type", "dns.a", "dns.aaaa",
            "dns.ptr.domain_name", "dns.srv.port", "dns.srv.target", "dns.txt", "_ws.malformed",
        ]
        let rows = try Tshark.fields(file, fields, filter: "mdns")
        let (linkType, frames) = try Self.decoded(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [] else { continue }
            let layers = Layers(frame.bytes, linkType: linkType)
            guard let udp = layers.udp, udp.sourcePort == 5353 || udp.destinationPort == 5353 else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let message = try DNSMessage(parsing: layers.payload)
            compared += 1
            #expect((message.isResponse ? "1" : "0") == row["dns.flags.response"]?.first, "\(where_)")
            #expect(message.questions.map(\.name.description) == row["dns.qry.name"] ?? [], "\(where_)")
            let records = message.allRecords
            // tshark 4.0 files an SRV record's owner under dns.srv.* rather than dns.resp.name.
            #expect(
                records.filter { $0.type != 33 }.map { $0.name.labels.isEmpty ? "<Root>" : $0.name.description }
                    == row["dns.resp.name"] ?? [], "\(where_)")
            // tshark lists an NSEC record's type bitmap under dns.resp.type too; compare only without NSEC.
            if !records.contains(where: { $0.type == 47 }) {
                #expect(records.map { String($0.type) } == row["dns.resp.type"] ?? [], "\(where_)")
            }
            var a: [String] = []
            var aaaa: [String] = []
            var ptr: [String] = []
            var srvPort: [String] = []
            var srvTarget: [String] = []
            var txt: [String] = []
            for record in records {
                switch record.data {
                case .a(let address): a.append(address.description)
                case .aaaa(let address): aaaa.append(address.description)
                case .ptr(let name): ptr.append(name.description)
                case .srv(_, _, let port, let target):
                    srvPort.append(String(port))
                    srvTarget.append(target.description)
                case .txt(let strings): txt += strings.map { String(decoding: $0, as: UTF8.self) }
                case .other: break
                }
            }
            #expect(a == row["dns.a"] ?? [], "\(where_)")
            #expect(aaaa == row["dns.aaaa"] ?? [], "\(where_)")
            #expect(ptr == row["dns.ptr.domain_name"] ?? [], "\(where_)")
            #expect(srvPort == row["dns.srv.port"] ?? [], "\(where_)")
            #expect(srvTarget == row["dns.srv.target"] ?? [], "\(where_)")
            // tshark lists empty TXT strings too; compare the printable ones.
            let printable = txt.filter {
                !$0.isEmpty && $0.allSatisfy { $0.isASCII && !$0.isNewline } && !$0.contains(",")
            }
            #expect(printable.allSatisfy { (row["dns.txt"] ?? []).contains($0) }, "\(where_)")

            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .mdns && result.error == nil, "\(where_)")
            if !message.isResponse {
                #expect(
                    result.observations.allSatisfy {
                        if case .searching = $0.fact { return true } else { return false }
                    }, "\(where_): a query is never identity evidence")
            } else if result.summary.source.isUnicastDevice,
                result.observations.count < FrameDecoder.maximumObservationsPerFrame
            {
                // Every .local A/AAAA record of a response names and addresses its sender, and every
                // SRV instance is one of the sender's services.
                let facts = result.observations.filter { $0.mac == result.summary.source }.map(\.fact)
                for record in message.answers + message.additionals where record.name.isLocal {
                    switch record.data {
                    case .a(let address):
                        #expect(facts.contains(.address(.v4(address), via: .mdns)), "\(where_)")
                        #expect(facts.contains(.hostname(record.name.withoutLocal, via: .mdns)), "\(where_)")
                    case .aaaa(let address):
                        #expect(facts.contains(.address(.v6(address), via: .mdns)), "\(where_)")
                    case .srv(_, _, let port, _):
                        #expect(
                            facts.contains {
                                if case .service(let service) = $0 {
                                    return service.name == record.name.labels.first && service.port == port
                                }
                                return false
                            }, "\(where_): SRV \(record.name)")
                    default:
                        break
                    }
                }
            }
        }
        #expect(compared > 0 || rows.isEmpty, "\(file): no mDNS frame compared")
    }

    // MARK: SSDP

    @Test(.needsTshark, arguments: ssdpFiles)
    func ssdp_headers_matchTshark(file: String) throws {
        try Tshark.require()
        let fields = [
            "http.request.method", "http.response.code", "http.server", "http.location", "http.user_agent",
            "http.cache_control", "http.request.line", "http.response.line", "http.unknown_header",
        ]
        let rows = try Tshark.fields(file, fields, filter: "ssdp")
        let (linkType, frames) = try Self.decoded(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number] else { continue }
            let layers = Layers(frame.bytes, linkType: linkType)
            guard let udp = layers.udp, udp.sourcePort == 1900 || udp.destinationPort == 1900 else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let message = try SSDPMessage(parsing: layers.payload)
            compared += 1
            switch message.kind {
            case .notify: #expect(row["http.request.method"]?.first == "NOTIFY", "\(where_)")
            case .search: #expect(row["http.request.method"]?.first == "M-SEARCH", "\(where_)")
            case .response(let status): #expect(row["http.response.code"]?.first == String(status), "\(where_)")
            }
            #expect(message.server.map { [$0] } ?? [] == row["http.server"] ?? [], "\(where_)")
            #expect(message.location.map { [$0] } ?? [] == row["http.location"] ?? [], "\(where_)")
            #expect(message.userAgent.map { [$0] } ?? [] == row["http.user_agent"] ?? [], "\(where_)")
            #expect(message.cacheControl.map { [$0] } ?? [] == row["http.cache_control"] ?? [], "\(where_)")
            // NT, NTS, ST, USN have no tshark fields of their own: take them from the raw header lines.
            var unknown: [String: String] = [:]
            let lines =
                (row["http.request.line"] ?? []) + (row["http.response.line"] ?? [])
                + (row["http.unknown_header"] ?? [])
            for line in lines {
                let text = line.replacingOccurrences(of: "\\r\\n", with: "")
                guard let colon = text.firstIndex(of: ":") else { continue }
                let name = text[..<colon].uppercased()
                if unknown[name] == nil {
                    unknown[name] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            for name in ["NT", "NTS", "ST", "USN"] {
                #expect(message.header(name) == unknown[name], "\(where_) \(name)")
            }
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .ssdp && result.error == nil, "\(where_)")
            if case .search = message.kind {
                #expect(
                    !result.observations.contains {
                        if case .service = $0.fact { return true } else { return false }
                    }, "\(where_): M-SEARCH is never a service")
            }
        }
        #expect(compared > 0 || rows.isEmpty, "\(file): no SSDP frame compared")
    }

    // MARK: VLAN, IPv6 extension headers, TCP, NDP

    @Test(.needsTshark, arguments: vlanFiles)
    func vlan_ids_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(file, ["ieee8021ad.id", "vlan.id"], filter: "vlan or ieee8021ad")
        let (linkType, frames) = try Self.decoded(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            // tshark files 802.1ad S-tags (always the outer tag) apart from 802.1Q C-tags.
            guard let row = rows[frame.number] else { continue }
            let ids = (row["ieee8021ad.id"] ?? []) + (row["vlan.id"] ?? [])
            guard !ids.isEmpty else { continue }
            let summary = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time).summary
            #expect(String(summary.outerVLAN) == ids[0], "\(file) frame \(frame.number)")
            // tshark keeps decoding tags after MPLS or inside tunnels; only adjacent tags are ours.
            if ids.count >= 2, let link = Layers(frame.bytes, linkType: linkType).link, link.vlanTagCount >= 2 {
                #expect(String(summary.innerVLAN) == ids[1], "\(file) frame \(frame.number)")
            }
            compared += 1
        }
        #expect(compared > 0, "\(file): no tagged frame compared")
    }

    @Test(.needsTshark, arguments: ipv6ExtensionFiles)
    func ipv6_extensionHeaders_matchTshark(file: String) throws {
        try Tshark.require()
        let fields = [
            "ip.src", "ipv6.src", "ipv6.nxt", "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.nxt",
            "ipv6.dstopts.nxt",
            "ah.next_header",
        ]
        let rows = try Tshark.fields(file, fields, filter: "ipv6")
        let (linkType, frames) = try Self.decoded(file)
        var compared = 0
        var withExtensions = 0
        for frame in frames {
            // Tunnelled IPv6 (Teredo, 6in4) sits behind an IPv4 header: not a frame-level IPv6 header.
            guard let row = rows[frame.number], row["ipv6.src"]?.count == 1, row["ip.src"] ?? [] == [] else { continue }
            guard let header = Layers(frame.bytes, linkType: linkType).ipv6 else {
                Issue.record("\(file) frame \(frame.number): IPv6 header not decoded")
                continue
            }
            let counts: [UInt8: Int] = [
                0: row["ipv6.hopopts.nxt"]?.count ?? 0, 43: row["ipv6.routing.nxt"]?.count ?? 0,
                44: row["ipv6.fraghdr.nxt"]?.count ?? 0, 60: row["ipv6.dstopts.nxt"]?.count ?? 0,
                51: row["ah.next_header"]?.count ?? 0,
            ]
            var ours: [UInt8: Int] = [0: 0, 43: 0, 44: 0, 60: 0, 51: 0]
            for type in header.extensionHeaders { ours[type, default: 0] += 1 }
            #expect(ours == counts, "\(file) frame \(frame.number)")
            // The upper-layer protocol is the last "next header" value tshark walked.
            let chain = [
                row["ipv6.nxt"], row["ipv6.hopopts.nxt"], row["ipv6.routing.nxt"], row["ipv6.fraghdr.nxt"],
                row["ipv6.dstopts.nxt"], row["ah.next_header"],
            ].compactMap { $0 }.flatMap { $0 }.compactMap(UInt8.init)
            #expect(chain.contains(header.upperLayerProtocol), "\(file) frame \(frame.number)")
            #expect(![0, 43, 44, 60, 51].contains(header.upperLayerProtocol) || header.isNonFirstFragment)
            if !header.extensionHeaders.isEmpty { withExtensions += 1 }
            compared += 1
        }
        #expect(
            compared > 0 && withExtensions > 0, "\(file): \(compared) frames, \(withExtensions) with extension headers")
    }

    @Test(.needsTshark, arguments: tcpFiles)
    func tcp_portsAndFlags_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(
            file,
            [
                "tcp.srcport", "tcp.dstport", "tcp.flags", "ip.src", "ipv6.src", "ip.flags.mf",
                "ip.frag_offset",
            ], filter: "tcp")
        let (linkType, frames) = try Self.decoded(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        var fragments = 0
        for frame in frames {
            // Tunnelled TCP (several IP headers) is outside what the summary describes.
            guard let row = rows[frame.number], row["tcp.srcport"]?.count == 1,
                (row["ip.src"]?.count ?? 0) + (row["ipv6.src"]?.count ?? 0) == 1
            else { continue }
            // tshark reassembles IP fragments; a frame decoder sees one fragment at a time.
            guard row["ip.flags.mf"]?.first != "1", row["ip.frag_offset"]?.first ?? "0" == "0" else {
                fragments += 1
                continue
            }
            let summary = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time).summary
            let where_ = "\(file) frame \(frame.number)"
            #expect(summary.transport == 6, "\(where_)")
            #expect(String(summary.sourcePort) == row["tcp.srcport"]?.first, "\(where_)")
            #expect(String(summary.destinationPort) == row["tcp.dstport"]?.first, "\(where_)")
            let flags = row["tcp.flags"]?.first.flatMap { UInt16($0.dropFirst(2), radix: 16) }
            #expect(flags.map { UInt8(truncatingIfNeeded: $0) } == summary.tcpFlags, "\(where_)")
            #expect(summary.wireLength == frame.wireLength)
            compared += 1
        }
        #expect(compared + fragments > 0, "\(file): no TCP frame compared")
    }

    @Test(.needsTshark, arguments: ndpFiles)
    func ndp_linkLayerOptions_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(
            file,
            [
                "icmpv6.type", "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address",
                "icmpv6.opt.linkaddr", "icmpv6.opt.type", "ipv6.src", "_ws.malformed",
            ],
            filter: "icmpv6.type >= 133 && icmpv6.type <= 137")
        let (linkType, frames) = try Self.decoded(file)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number], row["icmpv6.type"]?.count == 1 else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let payload = try #require(Layers(frame.bytes, linkType: linkType).icmpv6Payload, "\(where_)")
            guard row["_ws.malformed"] ?? [] == [] else {
                // Malformed for tshark: we may reject it too, but the frame decoder must not trap.
                _ = FrameDecoder(linkType: linkType).decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
                compared += 1
                continue
            }
            guard let message = try? ICMPv6Message(parsing: payload) else {
                Issue.record("\(where_): tshark decoded this NDP message, we did not")
                continue
            }
            #expect(String(message.type) == row["icmpv6.type"]?.first, "\(where_)")
            let target = (row["icmpv6.nd.ns.target_address"] ?? []) + (row["icmpv6.nd.na.target_address"] ?? [])
            if message.type == 135 || message.type == 136 {
                #expect(message.targetAddress.map { [$0.description] } == target, "\(where_)")
            }
            // Link-layer options (types 1 and 2) in tshark's order vs ours.
            let types = row["icmpv6.opt.type"] ?? []
            let addresses = row["icmpv6.opt.linkaddr"] ?? []
            let linkOptionTypes = types.filter { $0 == "1" || $0 == "2" }
            if linkOptionTypes.count == addresses.count {
                for (type, address) in zip(linkOptionTypes, addresses) {
                    let ours = type == "1" ? message.sourceLinkLayerAddress : message.targetLinkLayerAddress
                    #expect(ours?.description == address, "\(where_)")
                }
            }
            compared += 1
        }
        #expect(compared > 0 || rows.isEmpty, "\(file): no NDP frame compared")
    }
}
