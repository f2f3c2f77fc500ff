import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// LLDP, CDP and NBNS decodes of corpus captures compared with tshark.
@Suite struct LinkDiscoveryComparisonTests {
    static let lldpFiles = CorpusComparisonTests.folder("lldp") + ["mixed/arkime__arkime_synthetic.pcap"]
    static let cdpFiles =
        CorpusComparisonTests.folder("cdp") + ["lldp/tcpdump__LLDP_and_CDP.pcap", "mixed/pcpp__many-protocols.pcap"]
    static let nbnsFiles = [
        "nbns/ndpi__dos_win98_smb_netbeui.pcap", "nbns/arkime__nbns.pcap", "mixed/tcpdump__eapon1.pcap",
        "mixed/suricata__smb2-ntlmssp-negotiateflags__input.pcap", "mixed/ndpi__gnutella.pcap",
    ]

    @Test(.needsTshark, arguments: lldpFiles)
    func lldp_systemFields_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(
            file,
            [
                "lldp.tlv.system.name", "lldp.tlv.system.desc", "lldp.mgn.addr.ip4", "lldp.mgn.addr.ip6",
                "_ws.malformed",
            ], filter: "lldp")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        for frame in frames {
            guard let row = rows[frame.number] else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .lldp, "\(where_)")
            compared += 1
            let sender = result.summary.source
            guard row["_ws.malformed"] ?? [] == [], result.error == nil else { continue }
            guard sender.isUnicastDevice else {
                #expect(result.observations.isEmpty, "\(where_): no device to attribute to")
                continue
            }
            let facts = result.observations.filter { $0.mac == sender }.map(\.fact)
            if let name = row["lldp.tlv.system.name"]?.first, !name.isEmpty {
                #expect(facts.contains(.hostname(name, via: .lldp)), "\(where_)")
            }
            if let description = row["lldp.tlv.system.desc"]?.first, !description.isEmpty, !description.contains("\\") {
                #expect(facts.contains(.software(description, via: .lldp)), "\(where_)")
            }
            for address in (row["lldp.mgn.addr.ip4"] ?? []) + (row["lldp.mgn.addr.ip6"] ?? []) {
                #expect(facts.contains(.address(IPAddress(address)!, via: .lldp)), "\(where_): \(address)")
            }
        }
        #expect(compared == rows.count && compared > 0)
    }

    @Test(.needsTshark, arguments: cdpFiles)
    func cdp_deviceFields_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(
            file,
            [
                "cdp.deviceid", "cdp.platform", "cdp.software_version", "cdp.nrgyz.ip_address",
                "_ws.malformed",
            ], filter: "cdp")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared = 0
        var encapsulated = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [] else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let link = try #require(Layers(frame.bytes, linkType: linkType).link, "\(where_)")
            guard link.snapOUI == 0x00000C else {  // e.g. CDP inside ERSPAN: not on this link
                encapsulated += 1
                continue
            }
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .cdp && result.error == nil, "\(where_): \(String(describing: result.error))")
            let facts = result.observations.map(\.fact)
            if let name = row["cdp.deviceid"]?.first {
                #expect(facts.contains(.hostname(name, via: .cdp)), "\(where_)")
            }
            if let platform = row["cdp.platform"]?.first {
                #expect(facts.contains(.software(platform, via: .cdp)), "\(where_)")
            }
            for address in row["cdp.nrgyz.ip_address"] ?? [] where address != "0.0.0.0" {
                #expect(facts.contains(.address(IPAddress(address)!, via: .cdp)), "\(where_): \(address)")
            }
            compared += 1
        }
        #expect(compared + encapsulated > 0, "\(file): no CDP frame compared")
    }

    @Test(.needsTshark, arguments: nbnsFiles)
    func nbns_registrations_matchTshark(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(
            file,
            [
                "nbns.flags.opcode", "nbns.flags.response", "nbns.name", "nbns.addr", "nbns.nb_flags.group",
                "_ws.malformed",
            ], filter: "nbns")
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var registrations = 0
        for frame in frames {
            guard let row = rows[frame.number], row["_ws.malformed"] ?? [] == [] else { continue }
            let where_ = "\(file) frame \(frame.number)"
            let layers = Layers(frame.bytes, linkType: linkType)
            guard let udp = layers.udp, udp.sourcePort == 137, udp.destinationPort == 137 else { continue }
            let message = try NBNSMessage(parsing: layers.payload)
            #expect(String(message.opcode) == row["nbns.flags.opcode"]?.first, "\(where_)")
            #expect(
                (message.isResponse ? "1" : "0") == row["nbns.flags.response"]?.first.map { $0 == "True" ? "1" : $0 },
                "\(where_)")
            // tshark prints "NAME<1c>": the name, then the suffix in hex.
            if let tsharkName = row["nbns.name"]?.first, let name = message.name, let suffix = message.suffix,
                name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
            {
                let expected = name + "<" + String(format: "%02x", suffix) + ">"
                #expect(
                    tsharkName.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
                        .hasPrefix(expected.replacingOccurrences(of: " ", with: "")), "\(where_)")
            }
            #expect(message.entries.map(\.address.description) == row["nbns.addr"] ?? [], "\(where_)")
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .nbns && result.error == nil, "\(where_)")
            let isRegistration = !message.isResponse && [5, 8, 9].contains(message.opcode)
            let hostnames = result.observations.filter {
                if case .hostname = $0.fact { return true } else { return false }
            }
            if !isRegistration { #expect(hostnames.isEmpty, "\(where_): only registrations name the sender") }
            if isRegistration && [0x00, 0x20].contains(message.suffix)
                && message.entries.contains(where: { !$0.isGroup })
            {
                #expect(hostnames.map(\.fact) == [.hostname(message.name!, via: .nbns)], "\(where_)")
                #expect(hostnames.allSatisfy { $0.mac == result.summary.source })
                registrations += 1
            }
        }
        print("\(file): \(registrations) NBNS registrations attributed")
    }
}
