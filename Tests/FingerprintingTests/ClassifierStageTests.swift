import LanscopeCore
import Synchronization
import Testing

@testable import Fingerprinting

/// An inventory the test controls; applies what the stage emits, as the pipeline does.
final class FakeInventory: InventoryReader, @unchecked Sendable {
    var devices: [MACAddress: Device] = [:]
    func device(_ mac: MACAddress) -> Device? { devices[mac] }
    func holder(of address: IPAddress) -> MACAddress? { nil }

    func apply(_ output: StageOutput) {
        for (mac, classification) in output.classifications { devices[mac]?.classification = classification }
        for (mac, link) in output.links { devices[mac]?.privateMACLink = link }
    }
}

struct ClassifierStageTests {
    let printer = MACAddress(0x00, 0x1b, 0xa9, 0x01, 0x02, 0x03)
    let phone = MACAddress(0x3c, 0x22, 0xfb, 0x0a, 0x0b, 0x0c)
    let privatePhone = MACAddress(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc)
    let tickTime = TrafficTick(time: Devices.time, interval: .seconds(10), deltas: [])

    func run(_ stage: inout ClassifierStage, _ changes: [InventoryChange], inventory: FakeInventory) -> StageOutput {
        var output = StageOutput()
        let context = StageContext(inventory: inventory)
        for change in changes { stage.change(change, context: context, output: &output) }
        #expect(output.isEmpty, "the stage must not classify before a tick")
        stage.tick(tickTime, context: context, output: &output)
        inventory.apply(output)
        return output
    }

    @Test func stage_classifiesAtTheTick_onlyDevicesWhoseEvidenceChanged() {
        let inventory = FakeInventory()
        inventory.devices[printer] = Devices.make(printer) { $0.services = [Devices.mdns("_ipp._tcp")] }
        inventory.devices[phone] = Devices.make(phone) { $0.dhcp = Devices.dhcp([1, 3, 6], vendor: "android-dhcp-14") }
        var stage = ClassifierStage()
        #expect(stage.inputs == [.changes, .ticks])

        let first = run(&stage, [.created(printer, time: Devices.time)], inventory: inventory)
        #expect(first.classifications.map(\.mac) == [printer])
        #expect(first.classifications.first?.classification.type.value == .printer)

        // Nothing changed: nothing to do.
        #expect(run(&stage, [], inventory: inventory).isEmpty)
        // An update whose facts give the same answer emits nothing.
        #expect(run(&stage, [.updated(printer, time: Devices.time)], inventory: inventory).isEmpty)
        // Other changes do not mark a device.
        #expect(
            run(
                &stage,
                [.addressClaimed(.v4(IPv4Address(10, 0, 0, 2)), by: phone, previousHolder: nil, time: Devices.time)],
                inventory: inventory
            ).isEmpty)

        inventory.devices[printer]?.services.insert(Devices.mdns("_pdl-datastream._tcp"))
        let changed = run(
            &stage, [.updated(printer, time: Devices.time), .created(phone, time: Devices.time)], inventory: inventory)
        #expect(changed.classifications.map(\.mac) == [printer, phone])
    }

    @Test func stage_linksAPrivateMAC_byDHCPClientIdentifier_andClassifiesFromMergedEvidence() throws {
        let inventory = FakeInventory()
        let clientID: [UInt8] = [0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x2b, 0x3c, 0x4d, 0x5e]
        inventory.devices[phone] = Devices.make(phone, vendor: "Apple, Inc.") {
            $0.dhcp = Devices.dhcp([1, 121, 3, 6, 15, 119, 252], clientID: clientID)
            $0.hostnames = [.dhcp: "Lucas-iPhone"]
        }
        inventory.devices[privatePhone] = Devices.make(privatePhone) {
            $0.dhcp = Devices.dhcp([1, 121, 3, 6, 15, 119, 252], clientID: clientID)
        }
        var stage = ClassifierStage()
        let output = run(
            &stage, [.created(privatePhone, time: Devices.time), .created(phone, time: Devices.time)],
            inventory: inventory)
        let link = try #require(output.links.first { $0.mac == privatePhone }?.link)
        #expect(link.mac == phone)
        #expect(link.confidence >= 0.9)
        #expect(link.evidence.map(\.signal) == ["dhcp_client_id"])
        #expect(output.links.count == 1, "a universally administered MAC is never linked")
        let merged = try #require(inventory.devices[privatePhone]?.classification)
        #expect(merged.type.value == .phone)
        #expect(merged.manufacturer?.value == "Apple")

        // Same facts again: neither link nor classification is re-emitted.
        #expect(run(&stage, [.updated(privatePhone, time: Devices.time)], inventory: inventory).isEmpty)
    }

    @Test func stage_linksByDHCPv6DUID_andByHostnameWithVendorClass() throws {
        let inventory = FakeInventory()
        let duid: [UInt8] = [0, 1, 0, 1, 0x2a, 0x3b, 0x4c, 0x5d, 0x3c, 0x22, 0xfb, 0x0a, 0x0b, 0x0c]
        inventory.devices[phone] = Devices.make(phone) {
            $0.dhcpv6 = DHCPv6ClientFingerprint(messageType: 1, duid: duid)
        }
        inventory.devices[privatePhone] = Devices.make(privatePhone) {
            $0.dhcpv6 = DHCPv6ClientFingerprint(messageType: 1, duid: duid)
        }
        var stage = ClassifierStage()
        let output = run(
            &stage, [.created(phone, time: Devices.time), .created(privatePhone, time: Devices.time)],
            inventory: inventory)
        let link = try #require(output.links.first?.link)
        #expect(link.mac == phone)
        #expect(Set(link.evidence.map(\.signal)) == ["dhcpv6_duid", "dhcpv6_duid_mac"])

        let laptop = MACAddress(0x28, 0xcf, 0xda, 1, 2, 3)
        let privateLaptop = MACAddress(0x6a, 0xcf, 0xda, 1, 2, 3)
        inventory.devices[laptop] = Devices.make(laptop) {
            $0.dhcp = Devices.dhcp([1, 3, 6], vendor: "dhcpcd-9.4.1:Linux-6.1.0:x86_64:GenuineIntel")
            $0.hostnames = [.dhcp: "zephyr"]
        }
        inventory.devices[privateLaptop] = Devices.make(privateLaptop) {
            $0.dhcp = Devices.dhcp([1, 3, 6], vendor: "dhcpcd-9.4.1:Linux-6.1.0:x86_64:GenuineIntel")
            $0.hostnames = [.dhcp: "zephyr"]
        }
        let second = run(
            &stage, [.created(laptop, time: Devices.time), .created(privateLaptop, time: Devices.time)],
            inventory: inventory)
        #expect(second.links.first { $0.mac == privateLaptop }?.link?.mac == laptop)
    }

    @Test func stage_doesNotLink_onAnIdentityMoreThanOneOtherDeviceShares() {
        let inventory = FakeInventory()
        let macs = [MACAddress(0x00, 0x11, 0x22, 0, 0, 1), MACAddress(0x00, 0x11, 0x22, 0, 0, 2)]
        for mac in macs { inventory.devices[mac] = Devices.make(mac) { $0.hostnames = [.mdns: "iPhone"] } }
        inventory.devices[privatePhone] = Devices.make(privatePhone) { $0.hostnames = [.mdns: "iPhone"] }
        var stage = ClassifierStage()
        let output = run(&stage, (macs + [privatePhone]).map { .created($0, time: Devices.time) }, inventory: inventory)
        #expect(output.links.isEmpty)
    }

    @Test func stage_unlinks_whenTheTargetExpiresAndTheEvidenceIsGone() throws {
        let inventory = FakeInventory()
        inventory.devices[phone] = Devices.make(phone) {
            $0.hostnames = [.mdns: "kitchen-tablet"]; $0.dhcp = Devices.dhcp([1], vendor: "android-dhcp-12")
        }
        inventory.devices[privatePhone] = Devices.make(privatePhone) { $0.hostnames = [.mdns: "kitchen-tablet"] }
        var stage = ClassifierStage()
        let linked = run(
            &stage, [.created(phone, time: Devices.time), .created(privatePhone, time: Devices.time)],
            inventory: inventory)
        #expect(linked.links.first?.link?.mac == phone)
        #expect(inventory.devices[privatePhone]?.classification?.os?.value == "Android")

        inventory.devices[phone] = nil
        let unlinked = run(&stage, [.expired(phone, time: Devices.time)], inventory: inventory)
        #expect(unlinked.links.count == 1 && unlinked.links[0].mac == privatePhone && unlinked.links[0].link == nil)
        #expect(inventory.devices[privatePhone]?.classification?.os == nil)
    }

    @Test func stage_boundsPendingDevices_andCountsWhatItDrops() {
        var configuration = ClassifierStage.Configuration()
        configuration.maximumPending = 3
        var stage = ClassifierStage(configuration: configuration)
        var output = StageOutput()
        let context = StageContext(inventory: FakeInventory())
        for i in 0..<5 {
            stage.change(
                .created(MACAddress(0, 0, 0, 0, 0, UInt8(i + 1)), time: Devices.time), context: context, output: &output
            )
        }
        #expect(stage.stateStatistics == StageStateStatistics(entries: 3, dropped: 2))
    }
}
