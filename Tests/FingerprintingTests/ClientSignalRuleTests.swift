import Fingerprinting
import LanscopeCore
import Testing

/// The rules and signal handling added for the client-signal decoders (DNS names, HTTP User-Agent and Host,
/// TLS JA4, TCP SYN, DHCPv6 DUID): each on a constructed device that gives only that signal.
struct ClientSignalRuleTests {
    let classifier = DeviceClassifier()

    @Test func signalValues_ignoreAnEmptyJA4_fromAClientHelloContinuedInAnotherSegment() {
        let device = Devices.make { $0.tlsFingerprints = ["", "t13d1516h2_8daaf6152771_02713d6af862"] }
        let ja4 = device.signalValues.filter { $0.signal == .ja4 }.map(\.value)
        #expect(ja4 == ["t13d1516h2_8daaf6152771_02713d6af862"])
        #expect(Devices.make { $0.tlsFingerprints = [""] }.signalValues.isEmpty)
    }

    @Test func signalValues_dropTheHostHeaderPort_andTheRootDot() {
        let device = Devices.make {
            $0.destinationNames = ["dcp.example.com:80", "ntp.example.org.", "[fd00::1]:8080", "fd00::1:80"]
        }
        let names = device.signalValues.filter { $0.signal == .dns }.map(\.value)
        #expect(names == ["[fd00::1]", "dcp.example.com", "fd00::1:80", "ntp.example.org"])
    }

    @Test func classify_findsACamera_fromAP2PCameraCloud() {
        let device = Devices.make { $0.destinationNames = ["m1.iotcplatform.com"] }
        let result = classifier.classify(device)
        #expect(result.type.value == .camera)
        #expect(result.type.evidence.map(\.rule) == ["dns.camera.kalay"])
    }

    /// NetworkManager's connectivity check and the distributions' mirrors name Linux, not the device kind.
    /// (Apple's and Microsoft's time and captive-portal hosts are left out: other devices query them too —
    /// an Android phone in the corpus resolves an Apple one, and embedded clients use time.windows.com.)
    @Test func classify_findsLinux_fromNetworkManagersCheckAndDistributionMirrors() {
        for names in [["nmcheck.gnome.org"], ["deb.debian.org"], ["mirrors.fedoraproject.org"]] {
            let result = classifier.classify(Devices.make { $0.destinationNames = Set(names) })
            #expect(result.os?.value == "Linux", "\(names)")
            #expect(result.type.value == .unknown, "\(names)")
        }
    }

    @Test func classify_findsASmartPlug_fromAPlugMakersCloud() {
        let device = Devices.make { $0.destinationNames = ["iot.meross.com"] }
        let result = classifier.classify(device)
        #expect(result.type.value == .smartPlug)
        #expect(result.manufacturer?.value == "Meross")
    }

    @Test func classify_namesTheMakerOnly_fromACloudServingSeveralKinds() {
        let device = Devices.make { $0.destinationNames = ["devs.tplinkcloud.com"] }
        let result = classifier.classify(device)
        #expect(result.manufacturer?.value == "TP-Link")
        #expect(result.type.value == .unknown)
    }

    @Test func classify_findsEmbeddedLinux_fromAUclibcWgetAndAnOldKernelsSYN() {
        let device = Devices.make {
            $0.userAgents = ["Wget/1.13 (linux-uclibc)"]
            // Linux 2.6: MSS, SACK permitted, timestamps, NOP, window scale 1, window 5840, DF.
            $0.tcpSignatures = [
                TCPSignature(
                    ipVersion: 4, ttl: 63, dontFragment: true, window: 5840, options: [2, 4, 8, 1, 3], mss: 1460,
                    windowScale: 1)
            ]
        }
        let result = classifier.classify(device)
        #expect(result.os?.value == "Linux (embedded)")
        let rules = Set(result.os?.evidence.map(\.rule) ?? [])
        #expect(rules.isSuperset(of: ["ua.wget.uclibc", "tcp.linux.26.window"]))
    }

    @Test func classify_findsWindowsAndItsVersion_fromTheCryptoAPIUserAgent() {
        let device = Devices.make { $0.userAgents = ["Microsoft-CryptoAPI/10.0"] }
        let result = classifier.classify(device)
        #expect(result.os?.value == "Windows")
        #expect(result.osVersion?.value == "10.0")
    }

    /// Patterns are trimmed, so ChromeOS's rule keys on "; CrOS" (its User-Agent's platform token) rather than
    /// "cros", which "Microsoft" contains.
    @Test func classify_doesNotTakeMicrosoftForChromeOS() {
        let device = Devices.make { $0.userAgents = ["Microsoft-Delivery-Optimization/10.0"] }
        #expect(classifier.classify(device).os?.value == "Windows")
        let chromebook = Devices.make {
            $0.userAgents = ["Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko)"]
        }
        #expect(classifier.classify(chromebook).os?.value == "ChromeOS")
    }

    @Test func classify_findsLinux_fromSystemdsDUIDEnterpriseNumber() {
        let device = Devices.make {
            // DUID-EN (type 2), enterprise 43793 = 0x0000AB11, then the identifier.
            $0.dhcpv6 = DHCPv6ClientFingerprint(
                messageType: 1, duid: [0, 2, 0, 0, 0xAB, 0x11, 1, 2, 3, 4, 5, 6, 7, 8], optionRequest: [23, 24])
        }
        #expect(classifier.classify(device).os?.value == "Linux")
    }
}
