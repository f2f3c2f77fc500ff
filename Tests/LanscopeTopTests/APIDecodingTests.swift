import Testing

@testable import LanscopeTop

@Suite struct APIDecodingTests {
    /// The shape `/devices.json` has (DeviceRendering.writeJSON), with fields top skips.
    static let laptopJSON = """
        {"mac":"3c:22:fb:aa:bb:01","vendor":"Apple, Inc.","locally_administered":false,"hostname":"alice\\u0027s \\"mac\\"\\n\\ud83d\\ude00",
        "hostname_source":"dhcp","hostnames":{"dhcp":"alice"},"addresses":[{"ip":"fe80::1","version":6,"source":"ndp",
        "first_seen":"2026-11-01T10:00:00.000Z","last_seen":"2026-11-01T10:00:00.000Z"},{"ip":"192.168.50.10","version":4,
        "source":"dhcp","first_seen":"2026-11-01T10:00:00.000Z","last_seen":"2026-11-01T10:00:00.000Z"}],"dhcp":{"message_type":3,
        "parameter_request_list":[1,121,3],"vendor_class":null,"client_id":"01","max_message_size":null,"requested_address":null},
        "services":[{"via":"mdns","type":"_x._tcp","name":"n","port":1,"txt":[{"key":"k","value":"v]}{"}]}],
        "classification":{"type":{"value":"laptop","confidence":0.9,"evidence":[{"signal":"s","value":"v","rule":"r","weight":0.5}]},
        "os":{"value":"macOS","confidence":0.8,"evidence":[]},"os_version":null,"model":null,"manufacturer":null},
        "first_seen":"2026-11-01T10:00:00.000Z","last_seen":"2026-11-01T10:00:01.500Z","online":true,
        "counters":{"transmitted_packets":4,"transmitted_bytes":18446744073709551615,"received_packets":2,"received_bytes":1200}}
        """
    static let unknownJSON = """
        {"mac":"02:00:00:00:00:05","vendor":null,"hostname":null,"addresses":[],"classification":{"type":{"value":"unknown",
        "confidence":0,"evidence":[]},"os":null,"model":null},"online":false,"counters":{"transmitted_bytes":0,"received_bytes":0}}
        """
    static let devicesJSON = "[\(laptopJSON),\n\(unknownJSON)]"

    @Test func decodeList_readsTheTableFields_andSkipsTheRest() throws {
        let devices = try DeviceSummary.decodeList(Array(Self.devicesJSON.utf8))
        #expect(devices.count == 2)
        let d = devices[0]
        #expect(d.mac == "3c:22:fb:aa:bb:01")
        #expect(d.vendor == "Apple, Inc.")
        #expect(d.hostname == "alice's \"mac\"\n😀")
        #expect(d.ip == "192.168.50.10")
        #expect(d.type == "laptop")
        #expect(d.os == "macOS")
        #expect(d.model == nil)
        #expect(d.lastSeen == 1_793_527_201.5)
        #expect(d.online)
        #expect(d.transmittedBytes == UInt64.max)
        #expect(d.receivedBytes == 1200)
        #expect(devices[1] == DeviceSummary(mac: "02:00:00:00:00:05", online: false))
    }

    @Test func decodeList_refusesMalformedJSON_withItsOffset() {
        for bad in ["[{\"mac\":}]", "[{\"mac\":\"a\"", "{}", "[1,]", String(repeating: "[", count: 100)] {
            #expect(throws: TopError.self) { try DeviceSummary.decodeList(Array(bad.utf8)) }
        }
    }

    @Test func detail_decode_collectsIdentityAddressesEvidenceAndEvents() throws {
        let json = """
            {"device":\(Self.laptopJSON),
            "anomalies":[{"time":"2026-11-01T10:00:05.000Z","kind":"new_device","severity":"info","mac":"3c:22:fb:aa:bb:01",
            "summary":"new device","related_macs":[],"end_time":null,"details":{}}],
            "evidence":[{"kind":"hostname","source":"dhcp","value":"alice","first_seen":"2026-11-01T10:00:00.000Z",
            "last_seen":"2026-11-01T10:00:00.000Z","count":3}]}
            """
        let detail = try DeviceDetail.decode(Array(json.utf8))
        #expect(detail.summary.mac == "3c:22:fb:aa:bb:01")
        #expect(detail.identity.contains { $0.name == "type" && $0.value == "laptop (90 %)" })
        #expect(detail.reasons == ["type: s=v (r, 50)"])
        #expect(detail.addresses.map(\.ip) == ["fe80::1", "192.168.50.10"])
        #expect(detail.evidence.first?.count == 3)
        #expect(detail.events.map(\.kind) == ["new_device"])
    }

    @Test func anomalies_decode_newestFirst() throws {
        let json = """
            [{"time":"2026-11-01T10:00:00.000Z","kind":"a","severity":"info","mac":null,"summary":"old"},
             {"time":"2026-11-01T10:05:00.000Z","kind":"b","severity":"critical","mac":"02:00:00:00:00:01","summary":"new"}]
            """
        let events = try AnomalySummary.decodeList(Array(json.utf8))
        #expect(events.map(\.summary) == ["new", "old"])
    }

    @Test func captureHealth_parse_readsBackendModeUpAndDrops() {
        let text = """
            # HELP lanscope_capture_dropped_total Frames lost.
            # TYPE lanscope_capture_dropped_total counter
            lanscope_capture_dropped_total{reason="kernel_buffer"} 3
            lanscope_capture_dropped_total{reason="interface"} 0
            lanscope_capture_up 1
            lanscope_capture_info{backend="pcap",mode="host",interface="eth\\"0"} 1
            lanscope_device_up{mac="aa"} 1
            """
        let h = CaptureHealth.parse(Array(text.utf8))
        #expect(h.backend == "pcap")
        #expect(h.mode == "host")
        #expect(h.interface == "eth\"0")
        #expect(h.up == true)
        #expect(h.dropped == ["kernel_buffer": 3, "interface": 0])
        #expect(h.totalDropped == 3)
    }

    @Test func rfc3339_seconds_parsesLanscopeTimestamps() {
        #expect(RFC3339.seconds("1970-01-01T00:00:00.000Z") == 0)
        #expect(RFC3339.seconds("2026-11-01T10:00:00.000Z") == 1_793_527_200)
        #expect(RFC3339.seconds("2024-02-29T23:59:59Z") == 1_709_251_199)
        #expect(RFC3339.seconds("2026-13-01T10:00:00.000Z") == nil)
        #expect(RFC3339.seconds("yesterday") == nil)
    }

    @Test func serverAddress_parsesHostPortAndPrefix() throws {
        let a = try ServerAddress("http://127.0.0.1:9184")
        #expect(a.host == "127.0.0.1" && a.port == 9184 && a.pathPrefix == "")
        let b = try ServerAddress("http://[::1]:8080/lanscope/")
        #expect(b.host == "::1" && b.port == 8080 && b.pathPrefix == "/lanscope")
        #expect(b.description == "http://[::1]:8080/lanscope")
        #expect(try ServerAddress("http://sensor").port == 80)
        let c = try ServerAddress("https://sensor")
        #expect(c.usesTLS && c.port == 443 && c.description == "https://sensor" && !b.usesTLS)
        #expect(try ServerAddress("HTTPS://sensor:9184").description == "https://sensor:9184")
        #expect(throws: TopError.self) { try ServerAddress("ftp://sensor") }
        #expect(throws: TopError.self) { try ServerAddress("http://user:pw@sensor") }
        #expect(throws: TopError.self) { try ServerAddress("http://sensor:99999") }
        #expect(throws: TopError.self) { try ServerAddress("sensor:9184") }
    }

    @Test func basicCredentials_encodeAsRFC7617() {
        // RFC 7617 §2's example.
        #expect(
            BasicCredentials(user: "Aladdin", password: "open sesame").headerValue
                == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(BasicCredentials.base64(Array("ab".utf8)) == "YWI=")
        #expect(BasicCredentials.base64(Array("abc".utf8)) == "YWJj")
    }

    @Test func format_bytes_usesDecimalUnits() {
        #expect(Format.bytes(0) == "0 B")
        #expect(Format.bytes(999) == "999 B")
        #expect(Format.bytes(1_500) == "1.5 kB")
        #expect(Format.bytes(23_400_000) == "23 MB")
        #expect(Format.relative(100, now: 145) == "45 s ago")
        #expect(Format.relative(nil, now: 0) == "-")
    }
}
