import Inventory
import LanscopeCore
import Testing

/// How the registry folds what a Ubiquiti discovery announcement states (the facts `FrameDecoder` emits
/// for one: hostname, firmware build, own address, model and firmware version).
@Suite struct UbiquitiDiscoveryFoldTests {
    let gateway = MACAddress("80:2a:a8:8d:69:2c")!
    let t = Timestamp(seconds: 1_800_000_000)
    let address = IPAddress.v4(IPv4Address("192.168.1.1")!)
    let inventory = DeviceInventory(via: .ubnt, model: "UGW3", firmwareRevision: "4.3.33.4936086")

    func announcement(at time: Timestamp) -> [Observation] {
        [
            .hostname("ubnt", via: .ubnt), .software("UniFiSecurityGateway.ER-e120.v4.3.33", via: .ubnt),
            .address(address, via: .ubnt), .inventory(inventory),
        ].map { Observation(mac: gateway, time: time, fact: $0) }
    }

    @Test func record_foldsTheAnnouncement_intoOneDevice() throws {
        let registry = DeviceRegistry()
        let changes = registry.record(announcement(at: t))
        #expect(changes.contains(.created(gateway, time: t)))
        let device = try #require(registry.device(gateway))
        #expect(device.hostname == "ubnt" && device.hostnameSource == .ubnt)
        #expect(device.software[.ubnt] == "UniFiSecurityGateway.ER-e120.v4.3.33")
        #expect(device.inventory[.ubnt] == inventory)
        #expect(device.addresses[address]?.source == .ubnt)
        #expect(device.protocols.contains(.ubnt))
    }

    @Test func record_repeatedAnnouncement_isNoChange_andTheAddressIsNoClaim() {
        let registry = DeviceRegistry()
        registry.record(announcement(at: t))
        #expect(registry.record(announcement(at: t + .seconds(10))).isEmpty, "a repeat states nothing new")
        // The device's own statement, like LLDP/CDP: not an address claim (only ARP, NDP, DHCP claim).
        #expect(registry.holder(of: address) == nil)
    }

    @Test func record_aDHCPHostname_outranksTheAnnouncedOne() throws {
        let registry = DeviceRegistry()
        registry.record(announcement(at: t))
        registry.record([Observation(mac: gateway, time: t + .seconds(1), fact: .hostname("usg", via: .dhcp))])
        let device = try #require(registry.device(gateway))
        #expect(device.hostname == "usg" && device.hostnameSource == .dhcp)
        #expect(device.hostnames[.ubnt] == "ubnt")
    }

    @Test func record_aNewFirmware_replacesTheInventory_andIsAnUpdate() throws {
        let registry = DeviceRegistry()
        registry.record(announcement(at: t))
        let upgraded = DeviceInventory(via: .ubnt, model: "UGW3", firmwareRevision: "4.4.57.5578372")
        let changes = registry.record([Observation(mac: gateway, time: t + .seconds(5), fact: .inventory(upgraded))])
        #expect(changes.contains(.updated(gateway, time: t + .seconds(5))))
        #expect(registry.device(gateway)?.inventory[.ubnt] == upgraded)
    }
}
