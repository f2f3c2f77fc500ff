import LanscopeCore
import Testing

@testable import History

@Suite struct HistoryStoreHostileInputTests {
    static let hostileStrings: [String] = [
        "it's \"quoted\"; DROP TABLE devices; --",
        "nul\u{0}inside\u{0}",
        String(decoding: [0x61, 0xFF, 0xFE, 0x62, 0xC3], as: UTF8.self),  // invalid UTF-8 → U+FFFD by the caller
        String(repeating: "ä€𝄞x", count: 410),  // > 4 KB of UTF-8
        "\u{1}\u{1F}\\\n\t\r{}[]\"",
        "",
    ]

    @Test(arguments: hostileStrings)
    func write_roundTripsHostileText_inEveryTextField(_ text: String) throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let mac = Fixtures.mac(1)
        var device = Device(mac: mac, firstSeen: Fixtures.time(0), lastSeen: Fixtures.time(1))
        device.hostname = text
        device.hostnameSource = .dhcp
        device.hostnames[.mdns] = text
        device.vendor = text
        device.software[.http] = text
        device.dhcp = DHCPClientFingerprint(messageType: 1, vendorClass: text)
        device.services = [
            ServiceAdvertisement(
                via: .mdns, type: text, name: text, port: nil,
                txt: [TXTEntry(key: text, value: text)], location: text, server: text)
        ]
        let event = AnomalyEvent(
            time: Fixtures.time(1), kind: .identityChange, severity: .warning, mac: mac, summary: text,
            details: [text: text, "k": text])
        let observation = Observation(mac: mac, time: Fixtures.time(1), fact: .software(text, via: .ssdp))
        try store.write(HistoryBatch(devices: [device], observations: [observation], anomalies: [event]))

        let stored = try #require(try store.device(mac))
        #expect(stored == device)
        #expect(stored.hostname?.utf8.count == text.utf8.count)
        #expect(try store.anomalies(since: nil, limit: nil) == [event])
        #expect(try store.evidence(for: mac).map(\.value) == [text])
    }

    @Test func write_keepsNilAndEmptyServiceNamesApart() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        var device = Device(mac: Fixtures.mac(1), firstSeen: Fixtures.time(0), lastSeen: Fixtures.time(1))
        device.services = [
            ServiceAdvertisement(via: .ssdp, type: "upnp:rootdevice", name: nil, port: nil),
            ServiceAdvertisement(via: .ssdp, type: "upnp:rootdevice", name: "", port: nil),
            ServiceAdvertisement(via: .ssdp, type: "upnp:rootdevice", name: nil, port: 0),
        ]
        try store.write(HistoryBatch(devices: [device]))
        try store.write(HistoryBatch(devices: [device]))
        #expect(try store.device(Fixtures.mac(1))?.services == device.services)
    }
}
