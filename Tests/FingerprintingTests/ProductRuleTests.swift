import Fingerprinting
import LanscopeCore
import TestSupport
import Testing

/// The `product` signal (every word a device names itself or its model with) and the product-line rules in
/// `products.tsv`.
struct ProductRuleTests {
    let classifier = DeviceClassifier()

    static func products(_ device: Device) -> [String] {
        device.signalValues.filter { $0.signal == .product }.map(\.value)
    }

    @Test func signalValues_takeProductWords_fromEveryPlaceADeviceNamesItself() {
        let device = Devices.make { device in
            device.hostnames[.dhcp] = "HS100(EU)"
            device.dhcp = Devices.dhcp([1, 3], vendor: "TL-SG116E")
            device.services.insert(
                Devices.mdns(
                    "_http._tcp", name: "D-Link DCS-935L Configuration Utility",
                    txt: [("md", "Chromecast Ultra"), ("fn", "Living Room 4K")]))
            device.services.insert(
                ServiceAdvertisement(
                    via: .ssdp, type: "urn:schemas-upnp-org:device:DCS-5020L:1", name: "uuid:1",
                    server: "Linux/2.6 UPnP/1.0 RT-AC68U/3.0"))
            device.services.insert(
                ServiceAdvertisement(
                    via: .wsd, type: "NetworkVideoTransmitter",
                    txt: [TXTEntry(key: "scope", value: "onvif://www.onvif.org/hardware/DS-2CD2042WD")]))
            device.inventory[.lldp] = DeviceInventory(via: .lldp, model: "WS-C3560G-24PS")
        }
        let words = Set(Self.products(device))
        for expected in [
            "HS100", "TL-SG116E", "D-Link", "DCS-935L", "Configuration", "Chromecast", "Ultra", "DCS-5020L",
            "RT-AC68U", "DS-2CD2042WD", "WS-C3560G-24PS",
        ] {
            #expect(words.contains(expected), "\(expected) in \(words.sorted())")
        }
        // A friendly name is not a model key; bare numbers and two-letter fragments name nothing.
        #expect(!words.contains("Living"))
        #expect(!words.contains("2.6") && !words.contains("1.0") && !words.contains("EU"))
        #expect(!words.contains { $0.count < 3 })
        // Of an SSDP type only the device's name: not the URN's domain or the word "device".
        #expect(!words.contains("schemas-upnp-org") && !words.contains("device") && !words.contains("urn"))
    }

    @Test func ssdpDeviceName_isTheDeviceTypesName_andNothingForServicesOrIdentifiers() {
        #expect(Device.ssdpDeviceName("urn:schemas-upnp-org:device:DCS-935L:1") == "DCS-935L")
        #expect(Device.ssdpDeviceName("urn:Belkin:device:controllee:1") == "controllee")
        #expect(Device.ssdpDeviceName("hnap:NetworkCamera") == "NetworkCamera")
        #expect(Device.ssdpDeviceName("urn:schemas-upnp-org:service:ChangeIP:1") == nil)
        #expect(Device.ssdpDeviceName("uuid:b0c554255b0e-0") == nil)
        #expect(Device.ssdpDeviceName("upnp:rootdevice") == nil)
        #expect(Device.ssdpDeviceName("urn:x") == nil)
    }

    @Test func productWords_splitAtPunctuation_andKeepModelPunctuation() {
        let words = Device.productWords("FRITZ!Box 7590 (shellyplug-s-7C87CE); Tapo_C200/v1 \"x\" ab")
        #expect(words == ["FRITZ!Box", "shellyplug-s-7C87CE", "Tapo_C200"])
    }

    /// Whatever the text (separators, control characters, non-ASCII, long runs), every word is a slice of it in
    /// order, 3–48 bytes, holds a letter and no separator, and no qualifying run is lost.
    @Test func productWords_holdTheirInvariants_onRandomText() {
        var generator = SplitMix64(seed: 0xD0C5)
        let pieces: [String] = [
            "a", "Z", "7", "-", "_", ".", "!", "+", " ", "\t", "\n", "(", ")", ":", "/", ";", "=", "|", "\"", "'",
            "é", "Ω", "🙂", "\u{0}", "\u{7f}", "DCS-935L", "12345", "x",
        ]
        let separators = Set(" \t\n\u{0B}\u{0C}\r()[]{},;:/\"'<>=|".utf8)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...80, using: &generator)
            let text = (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let words = Device.productWords(text)
            var searchFrom = text.startIndex
            for word in words {
                let bytes = Array(word.utf8)
                #expect((3...48).contains(bytes.count), "\(text.debugDescription): \(word.debugDescription)")
                #expect(bytes.contains { $0 >= 0x80 || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
                #expect(!bytes.contains { separators.contains($0) }, "\(text.debugDescription)")
                #expect(word.startIndex >= searchFrom)
                searchFrom = word.endIndex
            }
            // Every maximal run of non-separator bytes that qualifies is a word.
            let runs = text.utf8.split { separators.contains($0) }.filter { run in
                (3...48).contains(run.count)
                    && run.contains { $0 >= 0x80 || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            }
            #expect(runs.count == words.count, "\(text.debugDescription)")
        }
    }

    @Test func classify_namesTheKind_fromADocumentedProductLine_whereverTheModelAppears() {
        let cases: [(Device, DeviceType, String)] = [
            (Devices.make { $0.hostnames[.dhcp] = "HS110(US)" }, .smartPlug, "TP-Link"),
            (Devices.make { $0.dhcp = Devices.dhcp([1, 3], vendor: "TL-SG108E") }, .switch, "TP-Link"),
            (Devices.make { $0.hostnames[.mdns] = "DCS-8000LH-A1B2" }, .camera, "D-Link"),
            (Devices.make { $0.hostnames[.dhcp] = "DCH-S160" }, .sensor, "D-Link"),
            (Devices.make { $0.hostnames[.dhcp] = "shellyplug-s-7C87CE" }, .smartPlug, "Shelly"),
            (Devices.make { $0.hostnames[.dhcp] = "shellyht-A1B2C3" }, .sensor, "Shelly"),
            (
                Devices.make { $0.inventory[.cdp] = DeviceInventory(via: .cdp, model: "WS-C2960X-48FPD-L") }, .switch,
                "Cisco"
            ),
            (Devices.make { $0.hostnames[.dhcp] = "RT-AX88U-5E10" }, .router, "ASUS"),
            (Devices.make { $0.hostnames[.dhcp] = "DS920plus" }, .nas, "Synology"),
            (Devices.make { $0.hostnames[.dhcp] = "axis-00408c123456" }, .camera, "Axis"),
            (Devices.make { $0.hostnames[.dhcp] = "Pixel-7a" }, .phone, "Google"),
            (
                Devices.make {
                    $0.userAgents = [
                        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
                    ]
                }, .tablet, "Samsung"
            ),
            (
                Devices.make { $0.services.insert(Devices.mdns("_ipp._tcp", txt: [("ty", "HP OfficeJet Pro 9010")])) },
                .printer, "HP"
            ),
        ]
        for (device, type, maker) in cases {
            let result = classifier.classify(device)
            #expect(result.type.value == type, "\(Self.products(device))")
            #expect(result.manufacturer?.value == maker, "\(Self.products(device))")
            #expect(result.type.evidence.contains { $0.signal == "product" }, "\(Self.products(device))")
        }
    }

    /// Default-name rules must not read a kind into people's or places' names: a QNAP's default `NAS…` name
    /// is a hint that needs its OUI, not a type on its own.
    @Test func classify_readsNoType_intoNamesThatOnlyLookLikeDefaults() {
        for name in ["nashville-pc", "nasir-laptop", "septimus", "hpc-node1", "canonical-build"] {
            let result = classifier.classify(Devices.make { $0.hostnames[.dhcp] = name })
            #expect(result.type.value == .unknown, "\(name): \(result.type.evidence.map(\.rule))")
        }
        let qnap = classifier.classify(Devices.make(vendor: "QNAP Systems, Inc.") { $0.hostnames[.dhcp] = "NAS4F2A1C" })
        #expect(qnap.type.value == .nas)
    }

    /// `#` in a prefix pattern is one digit: model numbers match, names that only share the letters do not.
    @Test func prefixPatterns_readHashAsOneDigit() {
        let rule = SignatureRule(
            id: "t.lb", signal: .product, match: .prefix, pattern: "lb1##",
            conclusions: [.init(field: .type, value: .literal("light"))], weight: 2)
        let leading = SignatureRule(
            id: "t.digit", signal: .product, match: .prefix, pattern: "#x",
            conclusions: [.init(field: .type, value: .literal("camera"))], weight: 2)
        let classifier = DeviceClassifier(signatures: SignatureSet([rule, leading]))
        func type(_ word: String) -> DeviceType {
            classifier.classify(signals: [SignalValue(.product, word)]).type.value
        }
        #expect(type("LB130") == .light)
        #expect(type("lb100(EU)") == .light)
        #expect(type("lb1") == .unknown)
        #expect(type("lb1a0") == .unknown)
        #expect(type("lb12") == .unknown)
        #expect(type("7x200") == .camera)
        #expect(type("xx200") == .unknown)
    }

    /// UPnP and HNAP device types say what the device is in words: `DigitalSecurityCamera` (UPnP Forum),
    /// `hnap:NetworkCamera` (D-Link's HNAP), `BinaryLight`.
    @Test func classify_readsTheKind_fromTheWordsOfAnAnnouncedDeviceType() {
        let cases: [(String, DeviceType)] = [
            ("hnap:NetworkCamera", .camera),
            ("urn:schemas-upnp-org:device:DigitalSecurityCamera:1", .camera),
            ("urn:schemas-upnp-org:device:BinaryLight:1", .light),
            ("urn:schemas-upnp-org:device:HVAC_System:1", .thermostat),
        ]
        for (type, expected) in cases {
            let device = Devices.make { device in
                device.services.insert(ServiceAdvertisement(via: .ssdp, type: type, name: "uuid:1"))
            }
            #expect(classifier.classify(device).type.value == expected, "\(type)")
        }
    }

    /// A busybox DHCP client says only "some embedded device"; the stated product line says which.
    @Test func classify_letsAProductLine_outweighTheGenericEmbeddedHint() {
        let device = Devices.make(vendor: "D-Link International") { device in
            device.hostnames[.dhcp] = "DCH-S150"
            device.dhcp = Devices.dhcp([1, 3, 6, 12, 15, 28, 42], vendor: "udhcp 1.21.1")
        }
        let result = classifier.classify(device)
        #expect(result.type.value == .sensor)
        #expect(result.os?.value == "Linux (embedded)")
    }

    /// The default names of computers, phones and people's devices must not look like a product line.
    @Test func classify_findsNoProductLine_inOrdinaryHostNames() {
        let names = [
            "DESKTOP-7F3K2QA", "LAPTOP-4JH2K1", "Johns-MacBook-Pro", "android-5f2e8a1b9c", "Galaxy-S21",
            "Maries-iPhone", "raspberrypi", "ubuntu-server-01", "WIN-9K2L3M4N5", "kitchen-pc", "archlinux",
            "fedora-ws", "build-server-2", "OpenWrt", "Shellys-iPad", "desmond-laptop", "dsc-0042",
            // Servers named by role and number, the way data centres and labs name them.
            "lb1", "lb01", "fs1", "fs01", "ds1", "ds02", "ts-1", "gs1", "nc2", "kc1", "ea6", "db01", "wrt", "rax",
            "er-1", "er-2", "uckfield", "ugw-office",
            "eap1", "dns-1", "dir-", "des-moines", "ws-cluster", "cp-app", "hl-lab",
        ]
        for name in names {
            let device = Devices.make { $0.hostnames[.dhcp] = name }
            let result = classifier.classify(device)
            let productEvidence = [result.type.evidence, result.manufacturer?.evidence ?? []].joined().filter {
                $0.signal == "product"
            }
            #expect(productEvidence.isEmpty, "\(name): \(productEvidence.map(\.rule))")
        }
    }

    /// Ubuntu's installer proposes "<user>-<DMI product name>": a laptop-only or desktop-only line names the
    /// kind and maker; a line that holds both kinds names nothing.
    @Test func classify_namesLaptopsAndDesktops_fromSingleKindComputerLines() {
        let cases: [(String, DeviceType, String)] = [
            ("ana-ThinkPad-T480s", .laptop, "Lenovo"), ("ben-LIFEBOOK-E5410", .laptop, "Fujitsu"),
            ("cho-Latitude-7420", .laptop, "Dell"), ("dee-HP-EliteBook-840-G8", .laptop, "HP"),
            ("eli-ZenBook-UX425EA", .laptop, "ASUS"), ("fay-OptiPlex-7010", .desktop, "Dell"),
            ("gus-ThinkCentre-M720q", .desktop, "Lenovo"), ("hal-HP-EliteDesk-800-G4", .desktop, "HP"),
        ]
        for (name, type, maker) in cases {
            let result = classifier.classify(Devices.make { $0.hostnames[.dhcp] = name })
            #expect(result.type.value == type, "\(name): \(result.type.evidence.map(\.rule))")
            #expect(result.manufacturer?.value == maker, "\(name)")
        }
        for name in ["jo-XPS-13-9310", "kim-Inspiron-5570", "lu-Precision-5550", "mo-Aspire-A515", "ivy-HP-Pavilion"] {
            let result = classifier.classify(Devices.make { $0.hostnames[.dhcp] = name })
            #expect(result.type.value == .unknown, "\(name): \(result.type.evidence.map(\.rule))")
        }
    }
}
