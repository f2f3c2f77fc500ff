import Foundation
import LanscopeCore
import PacketDecoding
import TestSupport
import Testing

/// WS-Discovery over UDP 3702: messages shaped as the OASIS specification and the ONVIF Core
/// Specification lay them out (envelope, WS-Addressing header, a Hello / ProbeMatches / Probe body).
@Suite struct WSDiscoveryTests {
    let decoder = FrameDecoder(linkType: .ethernet)
    let time = Timestamp(seconds: 1_700_000_000)
    typealias B = FrameBuilder
    static let camera = "00:40:8c:12:34:56"

    static func envelope(action: String, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" \
        xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
        xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" \
        xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
        <SOAP-ENV:Header><wsa:MessageID>urn:uuid:0d3e2f6a-0000-4000-8000-000000000001</wsa:MessageID>
        <wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>
        <wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/\(action)</wsa:Action></SOAP-ENV:Header>
        <SOAP-ENV:Body>\(body)</SOAP-ENV:Body></SOAP-ENV:Envelope>
        """
    }

    static let cameraHello = envelope(
        action: "Hello",
        body: """
            <d:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:a1b2c3d4-0000-4000-8000-00408c123456</wsa:Address>\
            </wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>
            <d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming \
            onvif://www.onvif.org/hardware/CAM-1080 onvif://www.onvif.org/name/Front%20Door</d:Scopes>
            <d:XAddrs>http://192.168.1.64/onvif/device_service http://[fe80::240:8cff:fe12:3456]/onvif/device_service</d:XAddrs>
            <d:MetadataVersion>1</d:MetadataVersion></d:Hello>
            """)

    func decode(_ text: String, from source: String = camera, sourcePort: Int = 3702, destinationPort: Int = 3702)
        -> DecodeResult
    {
        decoder.decode(
            B.udpFrame(
                sourceMAC: source, destinationMAC: "01:00:5e:7f:ff:fa", sourceIP: "192.168.1.64",
                destinationIP: "239.255.255.250", sourcePort: sourcePort, destinationPort: destinationPort,
                payload: Array(text.utf8)), time: time)
    }

    @Test func hello_fromAnONVIFCamera_namesItsTypesScopesAndAddress() {
        let result = decode(Self.cameraHello)
        #expect(result.discovery == .wsd)
        #expect(result.error == nil)
        let scopes = [
            "onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/Profile/Streaming",
            "onvif://www.onvif.org/hardware/CAM-1080", "onvif://www.onvif.org/name/Front%20Door",
        ].map { TXTEntry(key: "scope", value: $0) }
        let expected = ["NetworkVideoTransmitter", "Device"].map { type in
            Fact.service(
                ServiceAdvertisement(
                    via: .wsd, type: type, name: "urn:uuid:a1b2c3d4-0000-4000-8000-00408c123456", txt: scopes,
                    location: "http://192.168.1.64/onvif/device_service"))
        }
        #expect(result.observations.map(\.fact) == expected)
        #expect(result.observations.allSatisfy { $0.mac == MACAddress(Self.camera)! })
    }

    @Test func probeMatches_describeTheAnsweringDevice_andAProbeWhatItsSenderSeeks() {
        let matches = Self.envelope(
            action: "ProbeMatches",
            body: """
                <d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:p1</wsa:Address>\
                </wsa:EndpointReference><d:Types>wprt:PrintDeviceType wscn:ScanDeviceType</d:Types>\
                <d:XAddrs>http://192.168.1.20:5357/p1</d:XAddrs></d:ProbeMatch></d:ProbeMatches>
                """)
        let answered = decode(matches, sourcePort: 3702, destinationPort: 50_000)
        #expect(
            answered.observations.map(\.fact)
                == ["PrintDeviceType", "ScanDeviceType"].map {
                    .service(
                        ServiceAdvertisement(
                            via: .wsd, type: $0, name: "urn:uuid:p1", location: "http://192.168.1.20:5357/p1"))
                })
        let probe = Self.envelope(
            action: "Probe", body: "<d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe>")
        let searched = decode(probe, from: "3c:22:fb:aa:bb:01", sourcePort: 50_000)
        #expect(searched.observations.map(\.fact) == [.searching(target: "NetworkVideoTransmitter", via: .wsd)])
    }

    @Test func byeAndResolve_sayNothingOfTheSender() {
        for action in ["Bye", "Resolve"] {
            let text = Self.envelope(
                action: action,
                body:
                    "<d:\(action)><wsa:EndpointReference><wsa:Address>urn:uuid:x</wsa:Address></wsa:EndpointReference></d:\(action)>"
            )
            let result = decode(text)
            #expect(result.discovery == .wsd && result.error == nil, "\(action)")
            #expect(result.observations.isEmpty, "\(action)")
        }
    }

    @Test func entities_areUnescaped_andListsAreCapped() {
        let scopes = (0..<40).map { "onvif://www.onvif.org/location/room\($0)" }.joined(separator: " ")
        let text = Self.envelope(
            action: "Hello",
            body: "<d:Hello><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>\(scopes)</d:Scopes>"
                + "<d:XAddrs>http://192.168.1.64/a?x=1&amp;y=2</d:XAddrs></d:Hello>")
        guard case .service(let service)? = decode(text).observations.first?.fact else {
            Issue.record("no service")
            return
        }
        #expect(service.location == "http://192.168.1.64/a?x=1&y=2")
        #expect(service.txt.count == WSDiscoveryMessage.maximumItems)
        #expect(service.name == nil)
    }

    @Test func badInput_isAnErrorOrNothing_neverAFact() {
        let cases = [
            "", "<Envelope>", "not xml at all", "<s:Envelope><s:Body/></s:Envelope>",
            Self.envelope(action: "Rename", body: "<d:Types>dn:NetworkVideoTransmitter</d:Types>"),
            String(Self.cameraHello.prefix(300)),
            "<a:Envelope><a:Action>x/Hello</a:Action><d:Types>" + String(repeating: "<", count: 5000),
        ]
        for text in cases {
            let result = decode(text)
            #expect(result.discovery == .wsd)
            #expect(result.observations.isEmpty || result.error == nil, "\(text.prefix(40))")
            if result.error != nil { #expect(result.observations.isEmpty) }
        }
        #expect(decode("").error != nil)
        #expect(decode(Self.envelope(action: "Rename", body: "")).error != nil)
    }

    @Test func multicastSender_isAttributedNothing() {
        #expect(decode(Self.cameraHello, from: "01:00:5e:00:00:01").observations.isEmpty)
    }
}

/// The WS-Discovery decoder against tshark's XML dissection (heuristic XML over UDP), element by element:
/// real wsdd traffic between two namespaces (Hello, Probe, ProbeMatches, Resolve, ResolveMatches, Bye;
/// `Fixtures/make-wsd-capture.sh` made it) and a Windows client's Resolve messages from the corpus.
@Suite struct WSDiscoveryComparisonTests {
    static let wsddCapture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wsd-wsdd.pcap").path

    /// Per frame: the text of each element (by local name, first occurrence; `Address` only inside the body).
    static func tsharkElements(_ path: String) throws -> [Int: [String: String]] {
        guard let executable = Tshark.executable else { throw MissingRequirement(reason: "tshark not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "-r", path, "-n", "-o", "xml.heuristic:TRUE", "-o", "xml.heuristic_udp:TRUE", "-T", "pdml", "-Y",
            "udp.port == 3702",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func attribute(_ name: String, of line: Substring) -> String? {
            guard let start = line.range(of: "\(name)=\"") else { return nil }
            let rest = line[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<end]).replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
        var frames: [Int: [String: String]] = [:]
        var frame = 0
        var pendingTag: String? = nil
        var inBody = false
        for line in text.split(separator: "\n") {
            if line.contains("name=\"frame.number\""), let number = attribute("show", of: line).flatMap({ Int($0) }) {
                frame = number
                inBody = false
                frames[frame] = [:]
            } else if line.contains("name=\"xml.tag\""), let tag = attribute("show", of: line) {
                let name = tag.dropFirst().prefix { $0 != ">" && $0 != " " && $0 != "/" }
                let local = String(name.split(separator: ":").last ?? name)
                if local == "Body" { inBody = true }
                pendingTag = local == "Address" && !inBody ? nil : local
            } else if line.contains("name=\"xml.cdata\""), let tag = pendingTag, let cdata = attribute("show", of: line)
            {
                if frames[frame]?[tag] == nil { frames[frame]?[tag] = cdata }
                pendingTag = nil
            } else {
                pendingTag = nil
            }
        }
        return frames
    }

    @Test(.needsTshark, arguments: [wsddCapture, "discovery-other/ndpi__upnp.pcap"])
    func messages_matchTsharksElements(file: String) throws {
        let path = try #require(Corpus.url(file)).path
        let elements = try Self.tsharkElements(path)
        let (linkType, frames) = try Corpus.frames(file)
        let decoder = FrameDecoder(linkType: linkType)
        var compared: [String: Int] = [:]
        for frame in frames {
            guard let reference = elements[frame.number], let action = reference["Action"] else { continue }
            let result = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
            let where_ = "\(file) frame \(frame.number)"
            #expect(result.discovery == .wsd, "\(where_)")
            #expect(result.error == nil, "\(where_)")
            let name = String(action.split(separator: "/").last ?? "")
            compared[name, default: 0] += 1
            let types = (reference["Types"] ?? "").split(separator: " ").map {
                WSDiscoveryMessage.localName(String($0))
            }
            let scopes = (reference["Scopes"] ?? "").split(separator: " ").map {
                TXTEntry(key: "scope", value: String($0))
            }
            let location = (reference["XAddrs"] ?? "").split(separator: " ").first.map(String.init)
            let expected: [Fact]
            switch name {
            case "Hello", "ProbeMatches", "ResolveMatches":
                expected = types.map {
                    .service(
                        ServiceAdvertisement(
                            via: .wsd, type: $0, name: reference["Address"], txt: scopes, location: location))
                }
            case "Probe": expected = types.map { .searching(target: $0, via: .wsd) }
            default: expected = []
            }
            let sender = result.summary.source
            #expect(result.observations.filter { $0.mac == sender }.map(\.fact) == expected, "\(where_) \(name)")
        }
        print("\(file): WS-Discovery messages compared: \(compared.sorted { $0.key < $1.key })")
        #expect(!compared.isEmpty, "\(file): no WS-Discovery message compared")
        if file == Self.wsddCapture {
            #expect(Set(compared.keys).isSuperset(of: ["Hello", "Probe", "ProbeMatches", "Bye"]))
        }
    }
}
