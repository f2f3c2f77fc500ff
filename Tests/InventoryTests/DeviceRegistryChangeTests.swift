import Inventory
import LanscopeCore
import Testing

/// What the registry reports back: created, updated only on new facts, identity from → to, address
/// claims with the previous holder, and refusals counted once per device.
@Suite struct DeviceRegistryChangeTests {
    let a = MACAddress(rawValue: 0x3c22_fb00_0001)
    let b = MACAddress(rawValue: 0x3c22_fb00_0002)
    let t = Timestamp(seconds: 1_800_000_000)

    func at(_ s: Int64) -> Timestamp { t + .seconds(s) }

    @Test func record_reportsUpdatedOnlyForNewFacts() {
        let registry = DeviceRegistry()
        let name = Observation(mac: a, time: at(0), fact: .hostname("laptop", via: .dhcp))
        #expect(registry.record([name]).contains(.updated(a, time: at(0))))
        let again = Observation(mac: a, time: at(5), fact: .hostname("laptop", via: .dhcp))
        #expect(registry.record([again]).isEmpty, "a repeated fact is not a change")
    }

    /// A DHCP server's replies are a new fact when they show a role not yet seen (so it is reclassified), and
    /// repeats of a known role are not.
    @Test func record_foldsDHCPServerRoles_andReportsOnlyANewOne() {
        let registry = DeviceRegistry()
        let id = IPv4Address(192, 168, 1, 2)
        func reply(_ s: Int64, _ role: DHCPServerRole?) -> Observation {
            Observation(mac: a, time: at(s), fact: .dhcpServer(serverIdentifier: id, messageType: 5, role: role))
        }
        #expect(registry.record([reply(0, nil)]).contains(.updated(a, time: at(0))))
        #expect(registry.record([reply(1, .separate)]).contains(.updated(a, time: at(1))))
        #expect(registry.record([reply(2, .separate)]).isEmpty)
        #expect(registry.record([reply(3, nil)]).isEmpty)
        let device = registry.device(a)
        #expect(device?.isDHCPServer == true)
        #expect(device?.dhcpServerRoles == [.separate])
    }

    @Test func record_reportsIdentityFieldsFromTo() {
        let registry = DeviceRegistry()
        registry.record([Observation(mac: a, time: at(0), fact: .hostname("old-name", via: .dhcp))])
        let changes = registry.record([Observation(mac: a, time: at(1), fact: .hostname("new-name", via: .dhcp))])
        #expect(changes.contains(.identityChanged(a, field: .hostname, from: "old-name", to: "new-name", time: at(1))))
        let windows = DHCPClientFingerprint(
            messageType: 1, parameterRequestList: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47],
            vendorClass: "MSFT 5.0")
        let first = registry.record([Observation(mac: a, time: at(2), fact: .dhcpClient(windows))])
        #expect(
            first.contains(
                .identityChanged(a, field: .dhcpFingerprint, from: nil, to: "1,3,6,15,31,33,43,44,46,47", time: at(2))))
        #expect(first.contains(.identityChanged(a, field: .dhcpVendorClass, from: nil, to: "MSFT 5.0", time: at(2))))
        let android = DHCPClientFingerprint(
            messageType: 1, parameterRequestList: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43],
            vendorClass: "android-dhcp-13")
        let second = registry.record([Observation(mac: a, time: at(3), fact: .dhcpClient(android))])
        #expect(
            second.contains(
                .identityChanged(a, field: .dhcpVendorClass, from: "MSFT 5.0", to: "android-dhcp-13", time: at(3))))
    }

    @Test func claims_fromAuthoritativeSourcesOnly_withPreviousHolder_andIndexFollowsExpiry() {
        let registry = DeviceRegistry()
        let ip = IPAddress.v4(IPv4Address(192, 168, 1, 20))
        // mDNS may speak for another host (sleep proxy): not a claim.
        #expect(
            !registry.record([Observation(mac: b, time: at(0), fact: .address(ip, via: .mdns))]).contains {
                if case .addressClaimed = $0 { return true } else { return false }
            })
        #expect(registry.holder(of: ip) == nil)
        #expect(
            registry.record([Observation(mac: a, time: at(1), fact: .address(ip, via: .arp))])
                .contains(.addressClaimed(ip, by: a, previousHolder: nil, time: at(1))))
        #expect(
            registry.record([Observation(mac: b, time: at(2), fact: .address(ip, via: .dhcp))])
                .contains(.addressClaimed(ip, by: b, previousHolder: a, time: at(2))))
        #expect(registry.holder(of: ip) == b)
        registry.expire(notSeenSince: at(3), now: at(10))
        #expect(registry.holder(of: ip) == nil, "an expired device holds nothing")
    }

    @Test func rejectedDevices_countedOncePerMAC_acrossCountAndRecord() {
        var configuration = DeviceRegistry.Configuration()
        configuration.maxDevices = 1
        let registry = DeviceRegistry(configuration: configuration)
        var first = FrameSummary()
        first.source = a
        registry.count(first, at: at(0))
        // One refused device sending three frames, each counted and recorded (like ARP + DHCP frames).
        for i in 0..<3 {
            var frame = FrameSummary()
            frame.source = b
            registry.count(frame, at: at(Int64(i)))
            registry.record([Observation(mac: b, time: at(Int64(i)), fact: .hostname("flood", via: .dhcp))])
        }
        #expect(registry.statistics.devicesRejected == 1)
    }

    @Test func classify_reportsOnlyFieldsThatChanged() {
        let registry = DeviceRegistry()
        var frame = FrameSummary()
        frame.source = a
        registry.count(frame, at: at(0))
        let camera = DeviceClassification(
            type: ClassifiedValue(value: .camera, confidence: 0.8),
            manufacturer: ClassifiedValue(value: "Axis", confidence: 0.7))
        #expect(
            registry.classify(a, as: camera, at: at(1)) == [
                .identityChanged(a, field: .type, from: nil, to: "camera", time: at(1)),
                .identityChanged(a, field: .manufacturer, from: nil, to: "Axis", time: at(1)),
            ])
        #expect(registry.classify(a, as: camera, at: at(2)).isEmpty)
        #expect(registry.device(a)?.classification == camera)
    }
}
