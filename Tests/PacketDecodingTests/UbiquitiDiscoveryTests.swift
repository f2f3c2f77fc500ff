import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// Ubiquiti discovery over UDP 10001: messages laid out as UniFi, airMAX and EdgeMAX devices send them (a
/// 4-byte header — version, command, length — then TLVs of a 1-byte type and a 16-bit length).
@Suite struct UbiquitiDiscoveryTests {
    let decoder = FrameDecoder(linkType: .ethernet)
    let time = Timestamp(seconds: 1_700_000_000)
    typealias B = FrameBuilder
    static let gateway = "80:2a:a8:8d:69:2c"
    static let wanSide = "80:2a:a8:8d:69:2b"

    static func tlv(_ type: UInt8, _ value: [UInt8]) -> [UInt8] { [type] + B.be16(value.count) + value }
    static func tlv(_ type: UInt8, _ text: String) -> [UInt8] { tlv(type, Array(text.utf8)) }
    static func message(version: UInt8 = 2, command: UInt8 = 6, _ tlvs: [[UInt8]]) -> [UInt8] {
        let body = tlvs.flatMap { $0 }
        return [version, command] + B.be16(body.count) + body
    }

    /// A version 2 announcement shaped like a UniFi Security Gateway's.
    static let gatewayAnnouncement = message([
        tlv(2, B.mac(wanSide) + B.ipv4("192.168.2.21")), tlv(2, B.mac(gateway) + B.ipv4("192.168.1.1")),
        tlv(1, B.mac(wanSide)), tlv(10, [0, 0, 0xde, 0x60]), tlv(11, "ubnt"), tlv(12, "UGW3"),
        tlv(3, "UniFiSecurityGateway.ER-e120.v4.3.33.4936086.161203.2031"), tlv(22, "4.3.33.4936086"),
        tlv(21, "UGW3"), tlv(23, [0]), tlv(19, B.mac(wanSide)), tlv(18, [0, 0, 0x15, 0xcf]), tlv(27, "4.0.0"),
    ])

    func decode(
        _ payload: [UInt8], from source: String = gateway, sourcePort: Int = 34085, destinationPort: Int = 10001
    ) -> DecodeResult {
        decoder.decode(
            B.udpFrame(
                sourceMAC: source, sourceIP: "192.168.1.1", destinationIP: "255.255.255.255", sourcePort: sourcePort,
                destinationPort: destinationPort, payload: payload), time: time)
    }

    @Test func announcement_fromAGateway_namesItsHostnameFirmwareModelAndOwnAddress() {
        let result = decode(Self.gatewayAnnouncement)
        #expect(result.discovery == .ubnt)
        #expect(result.error == nil)
        #expect(
            result.observations.map(\.fact) == [
                .hostname("ubnt", via: .ubnt),
                .software("UniFiSecurityGateway.ER-e120.v4.3.33.4936086.161203.2031", via: .ubnt),
                .address(.v4(IPv4Address("192.168.1.1")!), via: .ubnt),
                .inventory(DeviceInventory(via: .ubnt, model: "UGW3", firmwareRevision: "4.3.33.4936086")),
            ])
        #expect(result.observations.allSatisfy { $0.mac == MACAddress(Self.gateway)! })
    }

    @Test func message_keepsEveryStatedField() throws {
        let message = try UbiquitiDiscoveryMessage(parsing: Self.gatewayAnnouncement)
        #expect(message.version == 2 && message.command == 6 && !message.isRequest)
        #expect(message.macAddresses == [MACAddress(Self.wanSide)!, MACAddress(Self.gateway)!])
        #expect(
            message.addresses == [
                .init(mac: MACAddress(Self.wanSide)!, address: IPv4Address("192.168.2.21")!),
                .init(mac: MACAddress(Self.gateway)!, address: IPv4Address("192.168.1.1")!),
            ])
        #expect(message.platform == "UGW3" && message.model == "UGW3" && message.modelName == nil)
        #expect(message.firmwareVersion == "4.3.33.4936086")
        #expect(message.essid == nil)
    }

    @Test func answer_v1_fromAnAirMAXRadio_givesTheLongModelNameWithItsPlatform() throws {
        let radio = "24:a4:3c:10:00:01"
        let payload = Self.message(
            version: 1, command: 0,
            [
                Self.tlv(2, B.mac(radio) + B.ipv4("192.168.1.21")), Self.tlv(11, "roof-bridge"), Self.tlv(12, "LM5"),
                Self.tlv(3, "XM.ar7240.v6.3.6.33330.210818.1900"), Self.tlv(13, "backhaul"),
                Self.tlv(20, "NanoStation loco M5"),
            ])
        let message = try UbiquitiDiscoveryMessage(parsing: payload)
        #expect(message.essid == "backhaul")
        #expect(message.modelDescription == "NanoStation loco M5 (LM5)")
        let result = decode(payload, from: radio, sourcePort: 10001, destinationPort: 45000)
        #expect(
            result.observations.map(\.fact).last
                == .inventory(
                    DeviceInventory(
                        via: .ubnt, model: "NanoStation loco M5 (LM5)",
                        firmwareRevision: "XM.ar7240.v6.3.6.33330.210818.1900")))
    }

    @Test func request_fromAClient_isDecoded_butSaysNothingOfIt() {
        for payload: [UInt8] in [[1, 0, 0, 0], [2, 8, 0, 0]] {
            let result = decode(payload, from: "3c:22:fb:aa:bb:01", sourcePort: 45000)
            #expect(result.discovery == .ubnt)
            #expect(result.error == nil)
            #expect(result.observations.isEmpty)
        }
    }

    @Test func unknownTLVs_areSkipped_andRepeatsKeepTheFirst() throws {
        let message = try UbiquitiDiscoveryMessage(
            parsing: Self.message([
                Self.tlv(0x30, [1, 2, 3]), Self.tlv(11, "first"), Self.tlv(0xff, []), Self.tlv(11, "second"),
            ]))
        #expect(message.hostname == "first")
        #expect(message.tlvCount == 4)
    }

    @Test func bytesAfterTheDeclaredLength_areNotRead() throws {
        let message = try UbiquitiDiscoveryMessage(parsing: Self.message([Self.tlv(11, "gw")]) + [0, 0, 0, 0])
        #expect(message.hostname == "gw" && message.tlvCount == 1)
    }

    @Test func routing_port10001OnEitherSide_isUbiquitiDiscovery_otherPortsAreNot() {
        #expect(decode(Self.gatewayAnnouncement, sourcePort: 10001, destinationPort: 40000).discovery == .ubnt)
        #expect(decode(Self.gatewayAnnouncement, sourcePort: 40000, destinationPort: 10001).discovery == .ubnt)
        let other = decode(Self.gatewayAnnouncement, sourcePort: 40000, destinationPort: 10002)
        #expect(other.discovery == nil && other.observations.isEmpty)
        // A DNS query that happens to leave from port 10001 (an ephemeral port on some systems) stays DNS.
        let query = B.dnsHeader(flags: 0x0100, questions: 1, answers: 0) + B.name("example.com") + B.be16(1) + B.be16(1)
        #expect(decode(query, sourcePort: 10001, destinationPort: 53).discovery == .dns)
    }

    @Test func multicastSender_isAttributedNothing() {
        #expect(decode(Self.gatewayAnnouncement, from: "01:00:5e:00:00:01").observations.isEmpty)
    }

    /// Port 10001 is not Ubiquiti's: what does not start like its header is other traffic, neither
    /// discovery nor an error (a media stream on the port must not raise the decode error ratio).
    @Test(arguments: [
        ("empty", [UInt8]()),
        ("header cut", [2, 6, 0]),
        ("version 3", [3, 6, 0, 0]),
        ("version 0", [0, 0, 0, 0]),
        ("RTP", [0x80, 0x60, 0x12, 0x34] + Array(repeating: 0x55, count: 160)),
        ("length past the end", [2, 6, 0, 20, 11, 0, 2, 0x61, 0x62]),
        ("length over the cap", [2, 6, 0x10, 0x00] + Array(repeating: 0, count: 4096)),
    ])
    func otherTrafficOnThePort_isNeitherDiscoveryNorAnError(name: String, payload: [UInt8]) {
        for (source, destination) in [(40000, 10001), (10001, 40000)] {
            let result = decode(payload, sourcePort: source, destinationPort: destination)
            #expect(result.discovery == nil && result.error == nil && result.observations.isEmpty, "\(name)")
        }
        #expect(!payload.withUnsafeBytes { UbiquitiDiscoveryMessage.startsLikeOne($0, payloadLength: payload.count) })
    }

    @Test func startsLikeOne_acceptsRequestsAndAnnouncements_andMessagesCutByTheSnapLength() {
        let request: [UInt8] = [1, 0, 0, 0]
        #expect(request.withUnsafeBytes { UbiquitiDiscoveryMessage.startsLikeOne($0, payloadLength: 4) })
        #expect(decode(request).discovery == .ubnt && decode(request).error == nil)
        let announcement = Self.gatewayAnnouncement
        #expect(announcement.withUnsafeBytes { UbiquitiDiscoveryMessage.startsLikeOne($0, payloadLength: $0.count) })
        // Only the header was captured: the datagram's length on the wire decides, and the cut is an error.
        #expect(
            announcement.withUnsafeBytes {
                UbiquitiDiscoveryMessage.startsLikeOne(
                    UnsafeRawBufferPointer(rebasing: $0[..<4]), payloadLength: announcement.count)
            })
        #expect(announcement.withUnsafeBytes { !UbiquitiDiscoveryMessage.startsLikeOne($0, payloadLength: 10) })
    }

    @Test(arguments: [
        ("TLV past the end", [2, 6, 0, 5, 11, 0, 9, 0x61, 0x62]),
        ("TLV header cut", [2, 6, 0, 2, 11, 0]),
        ("MAC of zero length", message([tlv(1, [])])),
        ("MAC and IP of the wrong size", message([tlv(2, Array(repeating: 1, count: 6))])),
        ("huge TLV length", [2, 6, 0, 8, 3, 0xff, 0xff, 0x61, 0x62, 0x63, 0x64, 0x65]),
        ("too many TLVs", message(Array(repeating: tlv(0x30, []), count: 257))),
    ])
    func badInput_isAClearError_andNoFact(name: String, payload: [UInt8]) {
        let result = decode(payload)
        #expect(result.discovery == .ubnt, "\(name)")
        #expect(result.error?.layer == .ubnt, "\(name)")
        #expect(result.observations.isEmpty, "\(name)")
        #expect(throws: DecodeError.self, "\(name)") { try UbiquitiDiscoveryMessage(parsing: payload) }
    }

    @Test func errors_sayWhatIsWrong() {
        #expect(throws: DecodeError.invalidValue(field: "Ubiquiti discovery version", value: 3)) {
            try UbiquitiDiscoveryMessage(parsing: [3, 6, 0, 0])
        }
        #expect(throws: DecodeError.invalidLength(field: "Ubiquiti discovery MAC", value: 0)) {
            try UbiquitiDiscoveryMessage(parsing: Self.message([Self.tlv(1, [])]))
        }
        #expect(throws: DecodeError.truncated(offset: 3, needed: 0xffff, available: 5)) {
            try UbiquitiDiscoveryMessage(parsing: [2, 6, 0, 8, 3, 0xff, 0xff, 0x61, 0x62, 0x63, 0x64, 0x65])
        }
    }

    @Test func hostileText_isDecodedAsWireText_andCapped() throws {
        let bytes: [UInt8] = [0x42, 0xff, 0xfe, 0x72, 0x01, 0x6f, 0x00, 0x00]
        let long = String(repeating: "a", count: 5000)
        let message = try UbiquitiDiscoveryMessage(
            parsing: Self.message([
                Self.tlv(11, bytes), Self.tlv(3, long), Self.tlv(12, long), Self.tlv(13, long), Self.tlv(20, long),
            ]))
        // Invalid UTF-8 becomes replacement characters, trailing NULs go, a control character stays as
        // other decoders keep it (the exposition layer escapes it).
        #expect(message.hostname == "B\u{FFFD}\u{FFFD}r\u{01}o")
        #expect(message.firmware?.utf8.count == 256)
        #expect(message.platform?.utf8.count == 64)
        #expect(message.essid?.utf8.count == 32)
        #expect(message.modelName?.utf8.count == 128)
        let empty = try UbiquitiDiscoveryMessage(parsing: Self.message([Self.tlv(11, []), Self.tlv(12, [0, 0])]))
        #expect(empty.hostname == nil && empty.platform == nil && empty.inventory == nil)
    }

    /// Seeded mutations of an announcement (byte values, lengths, cuts): the decoder never traps, an error
    /// never comes with facts, and the kept lists stay within their caps.
    @Test func mutations_neverYieldFactsWithAnError_andKeepTheCaps() {
        var random = SplitMix64(seed: 0x5542_4e54)
        var errors = 0
        var violations: [String] = []
        for round in 0..<5000 {
            var payload = Self.gatewayAnnouncement
            for _ in 0..<Int(random.next() % 4 + 1) {
                let index = Int(random.next() % UInt64(payload.count))
                payload[index] = UInt8(truncatingIfNeeded: random.next())
            }
            if random.next() % 4 == 0 { payload.removeLast(Int(random.next() % UInt64(payload.count))) }
            let result = decode(payload)
            let plausible = payload.withUnsafeBytes {
                UbiquitiDiscoveryMessage.startsLikeOne($0, payloadLength: payload.count)
            }
            if (result.discovery == .ubnt) != plausible {
                violations.append("\(round): routed \(result.discovery as Any)")
            }
            if result.error != nil {
                errors += 1
                if !result.observations.isEmpty { violations.append("\(round): facts with an error") }
            }
            if let message = try? UbiquitiDiscoveryMessage(parsing: payload),
                message.addresses.count > 32 || message.macAddresses.count > 32
                    || (message.hostname?.utf8.count ?? 0) > 255 * 3
            {
                violations.append("\(round): over a cap")
            }
        }
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        #expect(errors > 0 && errors < 5000, "the mutations reach both outcomes (errors: \(errors))")
    }

    @Test func aCutFrame_givesNoInventory() {
        var frame = B.udpFrame(
            sourceMAC: Self.gateway, sourceIP: "192.168.1.1", destinationIP: "255.255.255.255", sourcePort: 34085,
            destinationPort: 10001, payload: Self.gatewayAnnouncement)
        let wireLength = frame.count
        frame.removeLast(10)
        let result = decoder.decode(frame, wireLength: wireLength, time: time)
        #expect(result.discovery == .ubnt)
        #expect(result.error != nil)
        #expect(!result.observations.contains { if case .inventory = $0.fact { true } else { false } })
    }
}

/// The decoder against tshark's `ubdp` dissector, TLV by TLV: a UniFi Security Gateway's announcements from
/// the corpus, and `Fixtures/ubnt-discovery.pcap` (`Fixtures/make-ubnt-capture.py` built it: a request,
/// version 1 and 2 messages of access points, a switch, a router and an airMAX radio, an unknown TLV, a
/// UTF-8 hostname).
@Suite struct UbiquitiDiscoveryComparisonTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ubnt-discovery.pcap").path
    static let fields = [
        "ubdp.version", "ubdp.command", "ubdp.type", "ubdp.mac", "ubdp.ip", "ubdp.hostname", "ubdp.product",
        "ubdp.model", "ubdp.firmware", "ubdp.firmware_full", "ubdp.ssid",
    ]

    /// The UDP payload of an Ethernet/IPv4 frame.
    static func udpPayload(_ bytes: [UInt8]) -> [UInt8] {
        let ip = 14
        let headerLength = Int(bytes[ip] & 0x0F) * 4
        let udp = ip + headerLength
        let length = Int(bytes[udp + 4]) << 8 | Int(bytes[udp + 5])
        return Array(bytes[(udp + 8)..<min(bytes.count, udp + length)])
    }

    /// tshark 4.0 reads the text TLVs as ASCII: each byte outside it shows as one replacement character.
    static func asTsharkShows(_ text: String?) -> String? {
        text.map { String(String.UnicodeScalarView($0.utf8.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" })) }
    }

    /// tshark shows a platform code it knows with its name after it (`UGW3: UniFi Security Gateway`).
    static func sameCode(_ ours: String?, _ tshark: String?) -> Bool {
        guard let ours, let tshark else { return ours == nil && tshark == nil }
        return tshark == ours || tshark.hasPrefix(ours + ": ")
    }

    @Test(.needsTshark, arguments: [fixture, "discovery-other/ndpi__ubntac2.pcap"])
    func messages_matchTsharksUbdpFields(file: String) throws {
        try Tshark.require()
        let rows = try Tshark.fields(file, Self.fields, filter: "ubdp", decodeAs: ["udp.port==10001,ubdp"])
        let (_, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: .ethernet)
        var compared: [String: Int] = [:]
        for frame in frames {
            guard let row = rows[frame.number] else { continue }
            let at = "\(file) frame \(frame.number)"
            let message = try UbiquitiDiscoveryMessage(parsing: Self.udpPayload(frame.bytes))
            #expect(row["ubdp.version"] == [String(message.version)], "\(at)")
            #expect(row["ubdp.command"] == [String(message.command)], "\(at)")
            let types = (row["ubdp.type"] ?? []).compactMap { Int($0) }
            #expect(types.count == message.tlvCount, "\(at)")
            // Walk tshark's TLVs in order, taking each field's next occurrence where its type carries one.
            var macs = (row["ubdp.mac"] ?? []).makeIterator()
            var ips = (row["ubdp.ip"] ?? []).makeIterator()
            var models = (row["ubdp.model"] ?? []).makeIterator()
            var pairs: [UbiquitiDiscoveryMessage.InterfaceAddress] = []
            var allMACs: [MACAddress] = []
            var modelName: String?
            var model: String?
            for type in types {
                switch type {
                case 1, 2, 19:
                    let mac = try #require(macs.next().flatMap { MACAddress($0) }, "\(at)")
                    if !allMACs.contains(mac) { allMACs.append(mac) }
                    if type == 2 {
                        let ip = try #require(ips.next().flatMap { IPv4Address($0) }, "\(at)")
                        pairs.append(.init(mac: mac, address: ip))
                    }
                case 20: modelName = modelName ?? models.next()
                case 21: model = model ?? models.next()
                default: break
                }
            }
            #expect(message.macAddresses == allMACs, "\(at)")
            #expect(message.addresses == pairs, "\(at)")
            #expect(Self.asTsharkShows(message.hostname) == row["ubdp.hostname"]?.first, "\(at)")
            #expect(Self.sameCode(message.platform, row["ubdp.product"]?.first), "\(at)")
            #expect(Self.sameCode(message.model, model), "\(at)")
            #expect(message.modelName == modelName, "\(at)")
            #expect(message.firmware == row["ubdp.firmware_full"]?.first, "\(at)")
            #expect(message.firmwareVersion == row["ubdp.firmware"]?.first, "\(at)")
            #expect(message.essid == row["ubdp.ssid"]?.first, "\(at)")
            // Through the frame decoder: no error, and facts only from an answer.
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            #expect(result.discovery == .ubnt && result.error == nil, "\(at)")
            #expect(result.observations.isEmpty == message.isRequest, "\(at)")
            let kind = message.isRequest ? "request" : "v\(message.version) answer"
            compared[kind, default: 0] += 1
        }
        print("\(file): Ubiquiti discovery messages compared with tshark: \(compared.sorted { $0.key < $1.key })")
        #expect(!compared.isEmpty, "\(file): no Ubiquiti discovery message compared")
        if file == Self.fixture {
            #expect(compared.keys.sorted() == ["request", "v1 answer", "v2 answer"])
        }
    }
}
