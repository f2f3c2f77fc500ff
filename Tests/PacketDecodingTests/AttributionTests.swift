import LanscopeCore
import PacketDecoding
import Testing

/// Which MAC each fact is attributed to — the rules in FrameDecoder+Discovery.
@Suite struct AttributionTests {
    let decoder = FrameDecoder(linkType: .ethernet)
    let time = Timestamp(seconds: 1_700_000_000)
    typealias B = FrameBuilder

    func facts(_ result: DecodeResult, about mac: String) -> [Fact] {
        result.observations.filter { $0.mac == MACAddress(mac)! }.map(\.fact)
    }

    @Test func arp_attributesSenderAddress_forRequest() {
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0806,
            payload: B.arp(
                operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "192.168.1.10",
                targetMAC: "00:00:00:00:00:00", targetIP: "192.168.1.1"))
        let result = decoder.decode(frame, time: time)
        #expect(result.discovery == .arp)
        #expect(
            result.observations == [
                Observation(
                    mac: MACAddress("00:11:22:33:44:55")!, time: time,
                    fact: .address(.v4(IPv4Address("192.168.1.10")!), via: .arp))
            ])
    }

    @Test func arp_neverAttributesTargetFields_forRequest() {
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0806,
            payload: B.arp(
                operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "192.168.1.10",
                targetMAC: "66:77:88:99:aa:bb", targetIP: "192.168.1.1"))
        let result = decoder.decode(frame, time: time)
        #expect(facts(result, about: "66:77:88:99:aa:bb").isEmpty)
        #expect(!result.observations.contains { $0.fact == .address(.v4(IPv4Address("192.168.1.1")!), via: .arp) })
    }

    @Test func arp_usesARPSenderMAC_whenEthernetSourceDiffers() {
        let frame = B.ethernet(
            source: "02:00:00:00:00:99", etherType: 0x0806,
            payload: B.arp(
                operation: 2, senderMAC: "00:11:22:33:44:55", senderIP: "10.0.0.7",
                targetMAC: "66:77:88:99:aa:bb", targetIP: "10.0.0.1"))
        let result = decoder.decode(frame, time: time)
        #expect(facts(result, about: "00:11:22:33:44:55") == [.address(.v4(IPv4Address("10.0.0.7")!), via: .arp)])
        #expect(facts(result, about: "02:00:00:00:00:99").isEmpty)
        #expect(result.summary.source == MACAddress("02:00:00:00:00:99")!)
    }

    @Test func arp_attributesAddress_forGratuitous() {
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0806,
            payload: B.arp(
                operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "10.0.0.7",
                targetMAC: "ff:ff:ff:ff:ff:ff", targetIP: "10.0.0.7"))
        let packet = try? ARPPacket(parsing: Array(frame[14...]))
        #expect(packet?.isGratuitous == true)
        #expect(
            facts(decoder.decode(frame, time: time), about: "00:11:22:33:44:55")
                == [.address(.v4(IPv4Address("10.0.0.7")!), via: .arp)])
    }

    @Test func arp_emitsNoAddress_forProbe() {
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0806,
            payload: B.arp(
                operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "0.0.0.0",
                targetMAC: "00:00:00:00:00:00", targetIP: "10.0.0.7"))
        let result = decoder.decode(frame, time: time)
        #expect(result.discovery == .arp)
        #expect(result.observations.isEmpty)
        #expect(result.error == nil)
        #expect(result.summary.source == MACAddress("00:11:22:33:44:55")!)  // still a sighting via the summary
    }

    @Test func arp_ignored_forNonEthernetHardware() {
        var payload = B.arp(
            operation: 1, senderMAC: "00:11:22:33:44:55", senderIP: "10.0.0.7",
            targetMAC: "00:00:00:00:00:00", targetIP: "10.0.0.1")
        payload[1] = 15  // Frame Relay: not a MAC, ignored rather than counted as an error
        let result = decoder.decode(B.ethernet(source: "00:11:22:33:44:55", etherType: 0x0806, payload: payload))
        #expect(result.observations.isEmpty)
        #expect(result.error == nil)
        #expect(result.discovery == .arp)
        #expect(throws: DecodeError.invalidValue(field: "ARP hardware type", value: 15)) {
            try ARPPacket(parsing: payload)
        }
    }

    @Test func dhcp_attributesClientFactsToChaddr_forDiscover() throws {
        let payload = B.dhcp(
            op: 1, chaddr: "00:0c:29:1f:74:06",
            options: [
                (53, [1]), (12, Array("laptop-7".utf8)), (55, [1, 28, 2, 3, 15, 6, 12]), (60, Array("MSFT 5.0".utf8)),
                (61, [1, 0x00, 0x0c, 0x29, 0x1f, 0x74, 0x06]), (57, [0x05, 0xDC]), (50, [192, 168, 1, 44]),
            ])
        // The frame comes through a relay: its Ethernet source is not the client.
        let frame = B.udpFrame(
            sourceMAC: "02:aa:bb:cc:dd:ee", sourceIP: "10.0.0.1", destinationIP: "10.0.0.2",
            sourcePort: 67, destinationPort: 67, payload: payload)
        let result = decoder.decode(frame, time: time)
        #expect(result.discovery == .dhcp)
        let client = facts(result, about: "00:0c:29:1f:74:06")
        let fingerprint = DHCPClientFingerprint(
            messageType: 1, parameterRequestList: [1, 28, 2, 3, 15, 6, 12],
            vendorClass: "MSFT 5.0", clientIdentifier: [1, 0, 0x0c, 0x29, 0x1f, 0x74, 0x06],
            maxMessageSize: 1500, requestedAddress: IPv4Address("192.168.1.44"))
        #expect(client == [.dhcpClient(fingerprint), .hostname("laptop-7", via: .dhcp)])
        #expect(facts(result, about: "02:aa:bb:cc:dd:ee").isEmpty)
    }

    @Test func dhcp_attributesCiaddr_forRequestInRenewal() {
        let payload = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", ciaddr: "192.168.1.44", options: [(53, [3])])
        let frame = B.udpFrame(
            sourceMAC: "00:0c:29:1f:74:06", sourceIP: "192.168.1.44", destinationIP: "192.168.1.1",
            sourcePort: 68, destinationPort: 67, payload: payload)
        let client = facts(decoder.decode(frame, time: time), about: "00:0c:29:1f:74:06")
        #expect(client.contains(.address(.v4(IPv4Address("192.168.1.44")!), via: .dhcp)))
        #expect(client.contains(.dhcpClient(DHCPClientFingerprint(messageType: 3))))
    }

    @Test func dhcp_usesFQDNOptionName_whenNoHostnameOption() {
        // Option 81 with the E flag: canonical wire-format name.
        let fqdn: [UInt8] = [0x05, 0, 0] + B.name("desk.example.org")
        let payload = B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [3]), (81, fqdn)])
        let frame = B.udpFrame(
            sourceMAC: "00:0c:29:1f:74:06", sourceIP: "0.0.0.0", destinationIP: "255.255.255.255",
            sourcePort: 68, destinationPort: 67, payload: payload)
        #expect(
            facts(decoder.decode(frame), about: "00:0c:29:1f:74:06").contains(.hostname("desk.example.org", via: .dhcp))
        )
        let ascii: [UInt8] = [0x00, 0, 0] + Array("desk2".utf8)
        let message = try? DHCPv4Message(
            parsing: B.dhcp(op: 1, chaddr: "00:0c:29:1f:74:06", options: [(53, [3]), (81, ascii)]))
        #expect(message?.clientFQDN == "desk2")
    }

    @Test func dhcp_attributesServerFactsToSender_andYiaddrToChaddr_forAck() {
        let payload = B.dhcp(
            op: 2, chaddr: "00:0c:29:1f:74:06", yiaddr: "192.168.1.44",
            options: [(53, [5]), (54, [192, 168, 1, 1]), (12, Array("not-the-server".utf8))])
        let frame = B.udpFrame(
            sourceMAC: "00:50:56:00:00:01", destinationMAC: "00:0c:29:1f:74:06", sourceIP: "192.168.1.1",
            destinationIP: "192.168.1.44", sourcePort: 67, destinationPort: 68, payload: payload)
        let result = decoder.decode(frame, time: time)
        #expect(
            facts(result, about: "00:50:56:00:00:01")
                == [.dhcpServer(serverIdentifier: IPv4Address("192.168.1.1"), messageType: 5)])
        #expect(facts(result, about: "00:0c:29:1f:74:06") == [.address(.v4(IPv4Address("192.168.1.44")!), via: .dhcp)])
    }

    @Test func dhcp_assignsNoAddress_forOffer() {
        let payload = B.dhcp(
            op: 2, chaddr: "00:0c:29:1f:74:06", yiaddr: "192.168.1.44", options: [(53, [2]), (54, [192, 168, 1, 1])])
        let frame = B.udpFrame(
            sourceMAC: "00:50:56:00:00:01", sourceIP: "192.168.1.1", destinationIP: "255.255.255.255",
            sourcePort: 67, destinationPort: 68, payload: payload)
        let result = decoder.decode(frame, time: time)
        #expect(facts(result, about: "00:0c:29:1f:74:06").isEmpty)
        #expect(
            facts(result, about: "00:50:56:00:00:01") == [
                .dhcpServer(serverIdentifier: IPv4Address("192.168.1.1"), messageType: 2)
            ])
    }

    @Test func mdns_attributesRecordsToSender_forResponse() {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 4, additionals: 1)
        message += B.record(
            B.name("_ipp._tcp.local"), type: 12, recordClass: 1, data: B.name("Office Printer._ipp._tcp.local"))
        message += B.record(
            B.name("Office Printer._ipp._tcp.local"), type: 33,
            data: B.be16(0) + B.be16(0) + B.be16(631) + B.name("printer.local"))
        message += B.record(
            B.name("Office Printer._ipp._tcp.local"), type: 16,
            data: [6] + Array("ty=HP1".utf8) + [7] + Array("pdl=pdf".utf8) + [5] + Array("Color".utf8))
        message += B.record(B.name("printer.local"), type: 1, data: [192, 168, 1, 50])
        message += B.record(B.name("printer.local"), type: 28, data: B.ipv6("fe80::1"))
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", destinationMAC: "01:00:5e:00:00:fb", sourceIP: "192.168.1.50",
            destinationIP: "224.0.0.251", sourcePort: 5353, destinationPort: 5353, payload: message)
        let result = decoder.decode(frame, time: time)
        #expect(result.discovery == .mdns)
        #expect(result.error == nil)
        let service = ServiceAdvertisement(
            via: .mdns, type: "_ipp._tcp", name: "Office Printer", port: 631,
            txt: [
                TXTEntry(key: "ty", value: "HP1"), TXTEntry(key: "pdl", value: "pdf"),
                TXTEntry(key: "Color", value: nil),
            ])
        #expect(
            facts(result, about: "00:11:22:33:44:55") == [
                .hostname("printer", via: .mdns), .address(.v4(IPv4Address("192.168.1.50")!), via: .mdns),
                .address(.v6(IPv6Address("fe80::1")!), via: .mdns), .service(service),
            ])
        // Nothing about the multicast destination.
        #expect(result.observations.allSatisfy { $0.mac == MACAddress("00:11:22:33:44:55")! })
    }

    @Test func mdns_onlySearching_forQueryWithKnownAnswers() {
        var message = B.dnsHeader(flags: 0x0000, questions: 1, answers: 1)
        message += B.name("_airplay._tcp.local") + B.be16(12) + B.be16(1)
        message += B.record(
            B.name("_airplay._tcp.local"), type: 12, recordClass: 1, data: B.name("Living Room._airplay._tcp.local"))
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.9", destinationIP: "224.0.0.251",
            sourcePort: 5353, destinationPort: 5353, payload: message)
        let result = decoder.decode(frame, time: time)
        #expect(facts(result, about: "00:11:22:33:44:55") == [.searching(target: "_airplay._tcp.local", via: .mdns)])
    }

    @Test func mdns_ignoresNonLocalAddressRecords_forResponse() {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 1)
        message += B.record(B.name("www.example.com"), type: 1, data: [93, 184, 216, 34])
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.9", destinationIP: "224.0.0.251",
            sourcePort: 5353, destinationPort: 5353, payload: message)
        #expect(decoder.decode(frame).observations.isEmpty)
    }

    @Test func mdns_serviceTypeFromEnumeration_forServicesPTR() {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 1)
        message += B.record(
            B.name("_services._dns-sd._udp.local"), type: 12, recordClass: 1, data: B.name("_hap._tcp.local"))
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.9", destinationIP: "224.0.0.251",
            sourcePort: 5353, destinationPort: 5353, payload: message)
        #expect(
            facts(decoder.decode(frame), about: "00:11:22:33:44:55") == [
                .service(ServiceAdvertisement(via: .mdns, type: "_hap._tcp"))
            ])
    }

    @Test func ssdp_describesSender_forNotifyAlive() {
        let text =
            "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
            + "location: http://192.168.1.1:7406/rootDesc.xml\r\nserver: Linux/3.4 UPnP/1.0 MiniUPnPd/1.6\r\n"
            + "NT: upnp:rootdevice\r\nUSN: uuid:0464::upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n"
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", destinationMAC: "01:00:5e:7f:ff:fa", sourceIP: "192.168.1.1",
            destinationIP: "239.255.255.250", sourcePort: 1900, destinationPort: 1900, payload: Array(text.utf8))
        let result = decoder.decode(frame, time: time)
        #expect(result.discovery == .ssdp)
        let service = ServiceAdvertisement(
            via: .ssdp, type: "upnp:rootdevice", name: "uuid:0464::upnp:rootdevice",
            location: "http://192.168.1.1:7406/rootDesc.xml",
            server: "Linux/3.4 UPnP/1.0 MiniUPnPd/1.6")
        #expect(
            facts(result, about: "00:11:22:33:44:55") == [
                .service(service), .software("Linux/3.4 UPnP/1.0 MiniUPnPd/1.6", via: .ssdp),
            ])
    }

    @Test func ssdp_noService_forByebye() {
        let text =
            "NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\nNTS: ssdp:byebye\r\n\r\n"
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.1", destinationIP: "239.255.255.250",
            sourcePort: 1900, destinationPort: 1900, payload: Array(text.utf8))
        let result = decoder.decode(frame)
        #expect(result.discovery == .ssdp)
        #expect(result.observations.isEmpty)
    }

    @Test func ssdp_onlySearchingAndAgent_forMSearch() {
        let text =
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
            + "ST: urn:dial-multiscreen-org:service:dial:1\r\nUSER-AGENT: Google Chrome/120.0 Linux\r\n\r\n"
        let frame = B.udpFrame(
            sourceMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.9", destinationIP: "239.255.255.250",
            sourcePort: 50000, destinationPort: 1900, payload: Array(text.utf8))
        let result = decoder.decode(frame, time: time)
        #expect(
            facts(result, about: "00:11:22:33:44:55") == [
                .searching(target: "urn:dial-multiscreen-org:service:dial:1", via: .ssdp),
                .software("Google Chrome/120.0 Linux", via: .ssdp),
            ])
        #expect(!result.observations.contains { if case .service = $0.fact { return true } else { return false } })
    }

    @Test func ssdp_describesSender_forSearchResponse() {
        let text =
            "HTTP/1.1 200 OK\r\ncache-control: max-age=120\r\nst: urn:schemas-upnp-org:device:MediaRenderer:1\r\n"
            + "usn: uuid:abc::urn:schemas-upnp-org:device:MediaRenderer:1\r\nLocation: http://192.168.1.20:8080/desc.xml\r\n"
            + "Server: Linux UPnP/1.0 Sonos/70.3\r\n\r\n"
        let frame = B.udpFrame(
            sourceMAC: "00:0e:58:00:00:01", destinationMAC: "00:11:22:33:44:55", sourceIP: "192.168.1.20",
            destinationIP: "192.168.1.9", sourcePort: 1900, destinationPort: 50000, payload: Array(text.utf8))
        let result = decoder.decode(frame, time: time)
        let service = ServiceAdvertisement(
            via: .ssdp, type: "urn:schemas-upnp-org:device:MediaRenderer:1",
            name: "uuid:abc::urn:schemas-upnp-org:device:MediaRenderer:1",
            location: "http://192.168.1.20:8080/desc.xml", server: "Linux UPnP/1.0 Sonos/70.3")
        #expect(
            facts(result, about: "00:0e:58:00:00:01") == [
                .service(service), .software("Linux UPnP/1.0 Sonos/70.3", via: .ssdp),
            ])
        #expect(facts(result, about: "00:11:22:33:44:55").isEmpty)
    }

    @Test func ndp_pairsSourceLinkLayerWithSource_forNeighborSolicitation() {
        let icmp: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + B.ipv6("fe80::2") + [1, 1] + B.mac("00:11:22:33:44:55")
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", destination: "33:33:ff:00:00:02", etherType: 0x86DD,
            payload: B.ipv6Packet(source: "fe80::1", destination: "ff02::1:ff00:2", nextHeader: 58, payload: icmp))
        let result = decoder.decode(frame, time: time)
        #expect(result.discovery == .ndp)
        #expect(result.summary.transport == 58)
        #expect(facts(result, about: "00:11:22:33:44:55") == [.address(.v6(IPv6Address("fe80::1")!), via: .ndp)])
    }

    @Test func ndp_pairsTargetLinkLayerWithTarget_forNeighborAdvertisement() {
        let icmp: [UInt8] =
            [136, 0, 0, 0, 0x60, 0, 0, 0] + B.ipv6("2001:db8::2") + [2, 1] + B.mac("00:aa:bb:cc:dd:ee")
        let frame = B.ethernet(
            source: "00:aa:bb:cc:dd:ee", destination: "00:11:22:33:44:55", etherType: 0x86DD,
            payload: B.ipv6Packet(source: "fe80::2", destination: "fe80::1", nextHeader: 58, payload: icmp))
        #expect(
            facts(decoder.decode(frame), about: "00:aa:bb:cc:dd:ee") == [
                .address(.v6(IPv6Address("2001:db8::2")!), via: .ndp)
            ])
    }

    @Test func ndp_noAddress_forDuplicateAddressDetection() {
        let icmp: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + B.ipv6("fe80::2")
        let frame = B.ethernet(
            source: "00:11:22:33:44:55", destination: "33:33:ff:00:00:02", etherType: 0x86DD,
            payload: B.ipv6Packet(source: "::", destination: "ff02::1:ff00:2", nextHeader: 58, payload: icmp))
        #expect(decoder.decode(frame).observations.isEmpty)
    }

    @Test func observations_neverAboutGroupMACs_forMulticastSender() {
        let text = "NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nUSN: uuid:1\r\nNTS: ssdp:alive\r\nSERVER: x\r\n\r\n"
        let frame = B.udpFrame(
            sourceMAC: "01:00:5e:00:00:01", sourceIP: "192.168.1.1", destinationIP: "239.255.255.250",
            sourcePort: 1900, destinationPort: 1900, payload: Array(text.utf8))
        #expect(decoder.decode(frame).observations.isEmpty)
        let arp = B.ethernet(
            source: "00:11:22:33:44:55", etherType: 0x0806,
            payload: B.arp(
                operation: 2, senderMAC: "ff:ff:ff:ff:ff:ff", senderIP: "10.0.0.9",
                targetMAC: "00:11:22:33:44:55", targetIP: "10.0.0.1"))
        #expect(decoder.decode(arp).observations.isEmpty)
    }
}
