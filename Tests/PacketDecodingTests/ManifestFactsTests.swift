import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// What the corpus manifest lists per file (DHCP client fingerprints and hostnames, ARP senders)
/// must come out of FrameDecoder as observations about the right MAC.
@Suite struct ManifestFactsTests {
    /// Every observation FrameDecoder yields for a corpus file, by MAC.
    static func observations(_ file: String) throws -> [MACAddress: [Fact]] {
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var byMAC: [MACAddress: [Fact]] = [:]
        for frame in frames {
            for observation in decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time).observations
            {
                byMAC[observation.mac, default: []].append(observation.fact)
            }
        }
        return byMAC
    }

    static let dhcpEntries: [String] = Corpus.manifest.filter {
        $0.facts["dhcp"] != nil && !$0.isMalformed
            && $0.linkTypes.allSatisfy { [1, 113, 276].contains($0) }
    }.map(\.path)

    /// ARP carried inside tunnels (ERSPAN, GRE) is not on the monitored link and is not decoded.
    static let arpEntries: [String] = Corpus.manifest.filter {
        $0.facts["arp"] != nil && !$0.isMalformed
            && !$0.protocols.contains("erspan") && !$0.protocols.contains("gre")
            && $0.linkTypes.allSatisfy { [1, 113, 276].contains($0) }
    }.map(\.path)

    @Test(.needsCorpus, arguments: dhcpEntries)
    func dhcpClients_matchManifest(file: String) throws {
        try Corpus.require()
        let entry = try #require(Corpus.manifest.first { $0.path == file })
        let clients = (entry.facts["dhcp"] as? [String: Any])?["clients"] as? [[String: Any]] ?? []
        let observed = try Self.observations(file)
        // The manifest pools values from client and server messages; only a client's own
        // (BOOTREQUEST) values are evidence about it.
        var clientValues: Set<String> = []
        if Tshark.executable != nil {
            let rows = try Tshark.fields(
                file, ["dhcp.hw.mac_addr", "dhcp.option.hostname", "dhcp.option.vendor_class_id"],
                filter: "dhcp.type == 1")
            for row in rows.values {
                for value in (row["dhcp.option.hostname"] ?? []) + (row["dhcp.option.vendor_class_id"] ?? []) {
                    clientValues.insert((row["dhcp.hw.mac_addr"]?.first ?? "") + " " + value)
                }
            }
        }
        var checked = 0
        for client in clients {
            guard let macText = client["mac"] as? String, let mac = MACAddress(macText), mac.isUnicastDevice else {
                continue
            }
            let messageTypes = client["msg_types"] as? [String] ?? []
            let facts = observed[mac] ?? []
            let fingerprints = facts.compactMap { fact -> DHCPClientFingerprint? in
                if case .dhcpClient(let fingerprint) = fact { return fingerprint } else { return nil }
            }
            let sentClientMessage = messageTypes.contains {
                ["DISCOVER", "REQUEST", "INFORM", "DECLINE", "RELEASE"].contains($0)
            }
            guard sentClientMessage else { continue }
            for list in client["opt55"] as? [String] ?? [] {
                #expect(
                    fingerprints.contains { $0.parameterRequestListText == list },
                    "\(file) \(macText): option 55 \(list)")
            }
            let sentByClient = { (value: String) in
                Tshark.executable == nil || clientValues.contains(macText + " " + value)
            }
            for vendor in client["opt60"] as? [String] ?? []
            where vendor.allSatisfy({ $0.isASCII && !$0.isNewline })
                && sentByClient(vendor)
            {
                #expect(fingerprints.contains { $0.vendorClass == vendor }, "\(file) \(macText): option 60 \(vendor)")
            }
            for hostname in client["hostname"] as? [String] ?? []
            where hostname.allSatisfy({ $0.isASCII && !$0.isNewline })
                && sentByClient(hostname)
            {
                #expect(facts.contains(.hostname(hostname, via: .dhcp)), "\(file) \(macText): hostname \(hostname)")
            }
            checked += 1
        }
        print("\(file): \(checked) DHCP clients checked against the manifest")
    }

    @Test(.needsCorpus, arguments: arpEntries)
    func arpSenders_matchManifest(file: String) throws {
        try Corpus.require()
        let entry = try #require(Corpus.manifest.first { $0.path == file })
        let senders = (entry.facts["arp"] as? [String: Any])?["senders"] as? [String] ?? []
        let observed = try Self.observations(file)
        for sender in senders {
            let parts = sender.split(separator: " ")
            guard parts.count == 2, let mac = MACAddress(parts[0]), let ip = IPv4Address(parts[1]) else { continue }
            if ip.isUnspecified || !mac.isUnicastDevice || ip.isMulticast || ip.isLimitedBroadcast {
                #expect(!(observed[mac] ?? []).contains(.address(.v4(ip), via: .arp)), "\(file): \(sender)")
            } else {
                #expect((observed[mac] ?? []).contains(.address(.v4(ip), via: .arp)), "\(file): \(sender)")
            }
        }
    }
}
