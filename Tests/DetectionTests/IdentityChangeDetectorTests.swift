import LanscopeCore
import Testing

@testable import Detection

@Suite struct IdentityChangeDetectorTests {
    let device = Sample.mac(0x20)
    static let windows = "1,3,6,15,31,33,43,44,46,47,119,121,249,252"
    static let android = "1,3,6,15,26,28,51,58,59,43"

    func known() -> Harness<IdentityChangeDetector> {
        let h = Harness(IdentityChangeDetector())
        h.inventory.add(device, firstSeen: Sample.at(0))
        return h
    }

    func change(_ field: IdentityField, _ from: String?, _ to: String, at seconds: Double = 3600) -> InventoryChange {
        .identityChanged(device, field: field, from: from, to: to, time: Sample.at(seconds))
    }

    @Test func identityChange_raises_forADifferentDHCPClient() throws {
        var h = known()
        let event = try #require(h.change(change(.dhcpFingerprint, Self.windows, Self.android)).first)
        #expect(event.kind == .identityChange)
        #expect(event.mac == device)
        #expect(event.details["field"] == "dhcp_fingerprint")
        #expect(event.details["from"] == Self.windows)
        #expect(event.details["to"] == Self.android)
    }

    /// A DHCP client updated by its OS adds an option or reorders the list.
    @Test func identityChange_staysQuiet_forASlightlyUpdatedDHCPList() {
        var h = known()
        h.change(change(.dhcpFingerprint, "1,3,6,15,119,252", "1,3,6,15,119,252,95"))
        h.change(change(.dhcpFingerprint, "1,3,6,15,119,252,95", "1,121,3,6,15,119,252,95"))
        #expect(h.events.isEmpty)
    }

    @Test func identityChange_similarity_boundary() {
        // {1,2} vs {1,2,3,4}: 2/4 = 0.5, not under 0.5. {1,2} vs {1,2,3,4,5}: 0.4.
        var h = known()
        #expect(h.change(change(.dhcpv6Fingerprint, "1,2", "1,2,3,4")).isEmpty)
        #expect(h.change(change(.dhcpv6Fingerprint, "1,2", "1,2,3,4,5")).count == 1)
    }

    @Test func identityChange_type_onlyAcrossFamilies() {
        var h = known()
        #expect(h.change(change(.type, "unknown", "phone")).isEmpty)
        #expect(h.change(change(.type, "laptop", "desktop")).isEmpty)
        #expect(h.change(change(.type, "phone", "tablet")).isEmpty)
        #expect(
            h.change(change(.type, "phone", "printer")).map(\.details["reason"]) == ["device class mobile to printer"])
    }

    @Test func identityChange_os_onlyAcrossFamilies() {
        var h = known()
        #expect(h.change(change(.os, "iOS 17.1", "iOS 18.0")).isEmpty)
        #expect(h.change(change(.os, "Linux", "Android 14")).isEmpty)
        #expect(h.change(change(.os, "unknown", "Windows")).isEmpty)
        #expect(h.change(change(.os, "Windows 11", "Android 14")).count == 1)
    }

    @Test func identityChange_ignoresFirstValues_untrackedFields_learning_andNewDevices() {
        var h = known()
        h.change(.identityChanged(device, field: .dhcpFingerprint, from: nil, to: Self.windows, time: Sample.at(3600)))
        h.change(change(.tcpSignature, "4:64+0:0:1460:mss*20,7", "4:128+0:0:1460:8192,8"))
        h.change(change(.hostname, "alice-laptop", "printer"))
        h.learning = true
        h.change(change(.dhcpFingerprint, Self.windows, Self.android))
        h.learning = false
        h.change(change(.dhcpFingerprint, Self.windows, Self.android, at: 599.999))
        #expect(h.events.isEmpty)
        #expect(h.change(change(.dhcpFingerprint, Self.windows, Self.android, at: 600)).count == 1)
    }

    @Test func identityChange_raisesOncePerFieldWithinRealert() {
        var h = known()
        h.change(change(.dhcpFingerprint, Self.windows, Self.android, at: 1000))
        h.change(change(.dhcpFingerprint, Self.android, Self.windows, at: 2000))
        h.change(change(.os, "Windows", "Android", at: 2000))
        h.change(change(.dhcpFingerprint, Self.windows, Self.android, at: 4600))
        #expect(h.events.map(\.details["field"]) == ["dhcp_fingerprint", "os", "dhcp_fingerprint"])
    }
}
