import LanscopeCore
import Testing

@testable import Fingerprinting

struct DeviceClassifierTests {
    let classifier = DeviceClassifier()

    @Test func classify_findsAPrinter_fromIPPServiceAndTXTModel() {
        let device = Devices.make(vendor: "Brother Industries, LTD.") {
            $0.services = [
                Devices.mdns(
                    "_ipp._tcp", name: "Office", txt: [("ty", "Brother HL-L2350DW series"), ("rp", "ipp/print")]),
                Devices.mdns("_pdl-datastream._tcp"),
            ]
        }
        let result = classifier.classify(device)
        #expect(result.type.value == .printer)
        #expect(result.type.confidence > 0.7)
        #expect(result.model?.value == "Brother HL-L2350DW series")
        #expect(result.manufacturer?.value == "Brother")
        #expect(result.type.evidence.map(\.rule).contains("mdns.ipp"))
        #expect(result.type.evidence.allSatisfy { $0.weight > 0 && !$0.signal.isEmpty && !$0.value.isEmpty })
    }

    @Test func classify_findsAnAndroidPhoneWithItsVersion_fromTheDHCPVendorClass() {
        let device = Devices.make(vendor: "Samsung Electronics Co.,Ltd") {
            $0.dhcp = Devices.dhcp([1, 3, 6, 15, 26, 28, 51, 58, 59, 43], vendor: "android-dhcp-13")
            $0.hostnames = [.dhcp: "Galaxy-S23"]
        }
        let result = classifier.classify(device)
        #expect(result.type.value == .phone)
        #expect(result.os?.value == "Android")
        #expect(result.osVersion?.value == "13")
        #expect(result.manufacturer?.value == "Samsung")
    }

    @Test func classify_findsWindows_fromVendorClassTTLAndUserAgent() {
        let device = Devices.make(vendor: "Intel Corporate") {
            $0.dhcp = Devices.dhcp([1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], vendor: "MSFT 5.0")
            $0.hostnames = [.dhcp: "DESKTOP-4KQ1J2B"]
            $0.tcpSignatures = [
                TCPSignature(
                    ipVersion: 4, ttl: 128, dontFragment: true, window: 64240,
                    options: [2, 1, 3, 1, 1, 4], mss: 1460, windowScale: 8)
            ]
            $0.userAgents = [
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
            ]
        }
        let result = classifier.classify(device)
        #expect(result.os?.value == "Windows")
        #expect(result.osVersion?.value == "10.0")
        #expect(result.type.value == .desktop)
        #expect(result.manufacturer?.value == "Intel")
        let signals = Set(result.os?.evidence.map(\.signal) ?? [])
        #expect(signals.isSuperset(of: ["dhcp_vendor", "tcp_ttl", "tcp_syn", "user_agent"]))
    }

    @Test func classify_findsAStreamerAndItsModel_fromGoogleCastTXT() {
        let device = Devices.make(vendor: "Google, Inc.") {
            $0.services = [
                Devices.mdns(
                    "_googlecast._tcp", name: "Chromecast-abc",
                    txt: [("md", "Chromecast Ultra"), ("fn", "Living Room")])
            ]
        }
        let result = classifier.classify(device)
        #expect(result.type.value == .streamer)
        #expect(result.model?.value == "Chromecast Ultra")
        #expect(result.manufacturer?.value == "Google")
    }

    /// A Cast receiver that can join a speaker group publishes its zone: alone that says speaker; with a
    /// video Chromecast's `_googlecast` and model it stays a streamer.
    @Test func classify_readsASpeaker_fromACastZone_unlessTheCastModelSaysOtherwise() {
        let zone = Devices.mdns("_googlezone._tcp", name: "79d88e83-725c-b71b-bad0-5862d5b22386")
        let speaker = classifier.classify(Devices.make(vendor: "Google, Inc.") { $0.services = [zone] })
        #expect(speaker.type.value == .speaker)
        #expect(speaker.type.evidence.map(\.rule) == ["mdns.googlezone"])
        let chromecast = classifier.classify(
            Devices.make(vendor: "Google, Inc.") {
                $0.services = [zone, Devices.mdns("_googlecast._tcp", txt: [("md", "Chromecast")])]
            })
        #expect(chromecast.type.value == .streamer)
    }

    /// Windows' media sharing announces a UPnP MediaServer: with the host's Windows SERVER header that is a
    /// PC, not a NAS. A NAS maker's OUI beside the same announcement still makes a NAS.
    @Test func classify_readsNoNAS_fromAMediaServerAlone() {
        let mediaServer = ServiceAdvertisement(
            via: .ssdp, type: "urn:schemas-upnp-org:device:MediaServer:1", name: "uuid:1",
            server: "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0")
        let windows = classifier.classify(Devices.make(vendor: "Intel Corporate") { $0.services = [mediaServer] })
        #expect(windows.type.value == .unknown, "\(windows.type.evidence.map(\.rule))")
        #expect(windows.os?.value == "Windows")
        let nas = classifier.classify(Devices.make(vendor: "Synology Incorporated") { $0.services = [mediaServer] })
        #expect(nas.type.value == .nas)
    }

    @Test func classify_findsAnAppleTV_fromAirPlayModel() {
        let device = Devices.make(vendor: "Apple, Inc.") {
            $0.services = [Devices.mdns("_airplay._tcp", txt: [("model", "AppleTV11,1")]), Devices.mdns("_raop._tcp")]
        }
        let result = classifier.classify(device)
        #expect(result.type.value == .streamer)
        #expect(result.os?.value == "tvOS")
        #expect(result.model?.value == "AppleTV11,1")
        #expect(result.manufacturer?.value == "Apple")
    }

    /// dhcpcd names the SoC in its vendor class; a Raspberry Pi's says BCM27xx or BCM283x whatever board
    /// or USB adapter's OUI the frame carries, and a PC's names its CPU.
    @Test func classify_findsARaspberryPi_fromDhcpcdsPlatform_andNotAPC() {
        for vendor in [
            "dhcpcd-6.10.1:Linux-4.9.57-v7+:armv7l:BCM2835", "dhcpcd-6.11.5:Linux-4.1.18-v7+:armv7l:BCM2709",
            "dhcpcd-8.1.2:Linux-5.10.17-v8+:aarch64:BCM2711",
        ] {
            let result = classifier.classify(
                Devices.make(vendor: "C. ITOH ELECTRONICS, INC.") { $0.dhcp = Devices.dhcp([1, 3, 6], vendor: vendor) })
            #expect(result.manufacturer?.value == "Raspberry Pi", "\(vendor)")
            #expect(result.os?.value == "Linux", "\(vendor)")
        }
        let pc = classifier.classify(
            Devices.make(vendor: "Intel Corporate") {
                $0.dhcp = Devices.dhcp([1, 3, 6], vendor: "dhcpcd-9.4.1:Linux-6.1.0-13-amd64:x86_64:GenuineIntel")
            })
        #expect(pc.manufacturer?.value == "Intel")
    }

    @Test func classify_findsEmbeddedLinux_fromUdhcp() {
        let device = Devices.make { $0.dhcp = Devices.dhcp([1, 3, 6, 12, 15, 28, 42], vendor: "udhcp 1.31.1") }
        let result = classifier.classify(device)
        #expect(result.type.value == .iotOther)
        #expect(result.os?.value == "Linux (embedded)")
    }

    @Test func classify_usesStatedInventoryAndRoles_fromLLDPMED() {
        let device = Devices.make(vendor: "Cisco Systems, Inc") {
            $0.inventory = [
                .lldp: DeviceInventory(
                    via: .lldp, manufacturer: "Cisco Systems, Inc.", model: "IP Phone 8845",
                    softwareRevision: "sip88xx.14-1-1", medDeviceClass: 3)
            ]
        }
        let result = classifier.classify(device)
        #expect(result.type.value == .phone)
        #expect(result.model?.value == "IP Phone 8845")
        #expect(result.manufacturer?.value == "Cisco")
    }

    @Test func classify_findsARouter_fromRouterAdvertisementsAndDHCPServing() {
        let device = Devices.make {
            $0.isIPv6Router = true; $0.isDHCPServer = true
        }
        #expect(classifier.classify(device).type.value == .router)
    }

    /// A DHCP server is taken for the router only when its replies do not say otherwise: one that hands out
    /// another device as the gateway (a Pi-hole, a Windows or ISC server) is a server, even on a Raspberry Pi.
    @Test func classify_tellsARouterFromAServerBesideIt_byWhatItsDHCPRepliesSay() {
        func type(_ roles: Set<DHCPServerRole>, vendor: String? = nil) -> DeviceType {
            classifier.classify(
                Devices.make(vendor: vendor) {
                    $0.isDHCPServer = true
                    $0.dhcpServerRoles = roles
                }
            ).type.value
        }
        #expect(type([]) == .router)
        #expect(type([.gateway]) == .router)
        #expect(type([.relay]) == .router)
        #expect(type([.separate]) == .server)
        #expect(type([.separate], vendor: "Raspberry Pi Trading Ltd") == .server)
        #expect(type([.gateway, .separate]) == .router)
        let gateway = classifier.classify(
            Devices.make {
                $0.isDHCPServer = true; $0.dhcpServerRoles = [.gateway]
            })
        let bare = classifier.classify(Devices.make { $0.isDHCPServer = true })
        #expect(gateway.type.confidence > bare.type.confidence)
        #expect(gateway.type.evidence.map(\.rule).contains("role.dhcp.gateway"))
    }

    @Test func classify_readsDHCPv6EnterpriseAndDNSNames() {
        let device = Devices.make {
            $0.dhcpv6 = DHCPv6ClientFingerprint(
                messageType: 1, optionRequest: [17, 23, 24, 39], vendorEnterprise: 311,
                vendorClass: "MSFT 5.0")
            $0.destinationNames = ["www.msftconnecttest.com", "settings-win.data.microsoft.com"]
        }
        let result = classifier.classify(device)
        #expect(result.os?.value == "Windows")
        #expect(result.os?.evidence.contains { $0.signal == "dhcpv6_enterprise" } == true)
        #expect(result.os?.evidence.contains { $0.signal == "dns" } == true)
    }

    @Test func classify_mergesTheIEEENameIntoTheCanonicalMaker() {
        let device = Devices.make(vendor: "D-Link International") { $0.services = [Devices.mdns("_dhnap._tcp")] }
        let result = classifier.classify(device)
        #expect(result.manufacturer?.value == "D-Link")
        #expect(result.manufacturer?.evidence.map(\.rule).sorted() == ["mdns.dhnap", "oui.dlink"])
    }

    @Test func classify_copiesTheIEEEName_whenNoRuleNamesTheMaker() {
        let result = classifier.classify(Devices.make(vendor: "Acme Widgets GmbH"))
        #expect(result.manufacturer?.value == "Acme Widgets GmbH")
        #expect(result.manufacturer?.evidence.map(\.rule) == ["oui.organisation"])
    }

    @Test func classify_lowersConfidence_whenEvidenceConflicts() {
        let agreeing = Devices.make { $0.services = [Devices.mdns("_ipp._tcp"), Devices.mdns("_pdl-datastream._tcp")] }
        var conflicting = agreeing
        conflicting.services.insert(Devices.mdns("_axis-video._tcp"))
        let sure = classifier.classify(agreeing).type
        let unsure = classifier.classify(conflicting).type
        #expect(sure.value == .printer && unsure.value == .printer)
        #expect(unsure.confidence < sure.confidence)
    }

    @Test func classify_countsARuleOnce_howeverManyValuesItMatches() {
        let one = Devices.make { $0.destinationNames = ["a.roku.com"] }
        let many = Devices.make { $0.destinationNames = ["a.roku.com", "b.roku.com", "c.roku.com"] }
        #expect(classifier.classify(one) == classifier.classify(many))
    }
}
