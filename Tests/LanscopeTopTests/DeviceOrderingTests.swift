import LanscopeTop
import Testing

@Suite struct DeviceOrderingTests {
    let devices = [
        DeviceSummary(
            mac: "aa:00:00:00:00:01", vendor: "Apple, Inc.", hostname: "Zed", ip: "192.168.1.10", type: "laptop",
            lastSeen: 100, transmittedBytes: 10, receivedBytes: 10),
        DeviceSummary(
            mac: "aa:00:00:00:00:02", vendor: "HP Inc.", hostname: "alpha", ip: "192.168.1.20", type: "printer",
            lastSeen: 300, transmittedBytes: 1_000, receivedBytes: 0),
        DeviceSummary(
            mac: "aa:00:00:00:00:03", vendor: "Sonos, Inc.", hostname: nil, ip: "10.0.0.3", type: "speaker",
            lastSeen: 200, transmittedBytes: 0, receivedBytes: 0),
    ]

    func macs(_ list: [DeviceSummary]) -> [String] { list.map { String($0.mac.suffix(2)) } }

    @Test func sort_byTraffic_putsTheBusiestFirst_thenTotalBytes() {
        let rates = ["aa:00:00:00:00:03": TrafficRate(transmitted: 5, received: 5)]
        #expect(macs(DeviceOrdering.sort(devices, by: .traffic, rates: rates)) == ["03", "02", "01"])
        #expect(macs(DeviceOrdering.sort(devices, by: .traffic, rates: [:])) == ["02", "01", "03"])
    }

    @Test func sort_byName_isCaseInsensitive_withUnnamedDevicesLast() {
        #expect(macs(DeviceOrdering.sort(devices, by: .name, rates: [:])) == ["02", "01", "03"])
    }

    @Test func sort_byLastSeen_putsTheMostRecentFirst() {
        #expect(macs(DeviceOrdering.sort(devices, by: .lastSeen, rates: [:])) == ["02", "03", "01"])
    }

    @Test func sort_byType_isAlphabetical() {
        #expect(macs(DeviceOrdering.sort(devices, by: .type, rates: [:])) == ["01", "02", "03"])
    }

    @Test func filter_matchesSubstrings_ofMacIPHostnameVendorAndType() {
        #expect(macs(DeviceOrdering.filter(devices, by: "SONOS")) == ["03"])
        #expect(macs(DeviceOrdering.filter(devices, by: "192.168.1.")) == ["01", "02"])
        #expect(macs(DeviceOrdering.filter(devices, by: ":02")) == ["02"])
        #expect(macs(DeviceOrdering.filter(devices, by: "print")) == ["02"])
        #expect(macs(DeviceOrdering.filter(devices, by: "zed")) == ["01"])
        #expect(DeviceOrdering.filter(devices, by: "nothing-like-it").isEmpty)
        #expect(DeviceOrdering.filter(devices, by: "").count == 3)
    }
}
