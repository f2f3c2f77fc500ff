import Fingerprinting
import Foundation
import Inventory
import LanscopeCore
import TestSupport
import Testing

/// Ubiquiti discovery's facts through the classifier: the platform code reaches the `product` words (the
/// Ubiquiti block of `products.tsv`) and the `inventory_model`; speaking the protocol gives the maker
/// (`ubnt.tsv`).
struct UbiquitiDiscoveryRuleTests {
    let classifier = DeviceClassifier()

    static func announcing(
        model: String, hostname: String? = nil, vendor: String? = "Ubiquiti Inc.",
        mac: MACAddress = MACAddress("80:2a:a8:00:00:01")!
    ) -> Device {
        Devices.make(mac, vendor: vendor) { device in
            device.inventory[.ubnt] = DeviceInventory(via: .ubnt, model: model, firmwareRevision: "1.0")
            device.protocols.insert(.ubnt)
            if let hostname { device.hostnames[.ubnt] = hostname }
        }
    }

    @Test(arguments: [
        ("UGW3", DeviceType.router), ("UDMPRO", .router), ("U7PG2", .accessPoint), ("U7NHD", .accessPoint),
        ("UAL6", .accessPoint), ("US24P250", .switch), ("US8P60", .switch), ("USL16LP", .switch),
        ("NanoStation loco M5 (LM5)", .accessPoint), ("LiteBeam 5AC Gen2 (LBE-5AC-Gen2)", .accessPoint),
        ("ER-4", .router),
    ])
    func classify_platformCode_givesItsProductLinesKind(model: String, type: DeviceType) {
        let result = classifier.classify(Self.announcing(model: model))
        #expect(result.type.value == type, "\(model)")
        #expect(result.model?.value == model, "\(model)")
        #expect(result.manufacturer?.value == "Ubiquiti", "\(model)")
    }

    /// Against the OUI prior (Ubiquiti's MACs lean to access points), a gateway's own platform code wins.
    @Test func classify_gatewayPlatform_outweighsTheOUIPrior() {
        let result = classifier.classify(Self.announcing(model: "UGW3", hostname: "ubnt"))
        #expect(result.type.value == .router)
        #expect(
            result.type.evidence.contains {
                $0.signal == "product" && $0.value == "UGW3" && $0.rule == "product.ubiquiti.ugw"
            })
    }

    /// On a private MAC (no OUI) the protocol alone still names the maker; an unknown platform names no kind.
    @Test func classify_speakingTheProtocol_namesTheMaker_notAKind() {
        let device = Self.announcing(model: "ZZ9", vendor: nil, mac: MACAddress("02:00:00:00:00:01")!)
        let result = classifier.classify(device)
        #expect(result.manufacturer?.value == "Ubiquiti")
        #expect(result.manufacturer?.evidence.contains { $0.rule == "ubnt.sender" } == true)
        #expect(result.type.value == .unknown)
    }

    /// The firmware family names the kind where the platform code is one no rule knows.
    @Test(arguments: [
        ("EdgeRouter.ER-e300.v2.0.9-hotfix.7.5622731.230615.0857", DeviceType.router),
        ("BZ.qca956x.v4.3.28.11361.200421.1506", .accessPoint), ("US.bcm5334x.v5.43.35.12698.210802.1212", .switch),
        ("XW.ar934x.v6.3.6.33330.210818.1900", .accessPoint), ("WA.ipq40xx.v8.7.11.46972.220614.0420", .accessPoint),
    ])
    func classify_firmwareFamily_givesItsKind(firmware: String, type: DeviceType) {
        var device = Self.announcing(model: "ZZ9", vendor: nil)
        device.software[.ubnt] = firmware
        let result = classifier.classify(device)
        #expect(result.type.value == type, "\(firmware)")
        #expect(result.type.evidence.map(\.signal) == ["ubnt_firmware"], "\(firmware)")
    }

    /// The firmware signal is Ubiquiti discovery's own: an LLDP description starting alike matches nothing there.
    @Test func firmwareSignal_comesOnlyFromUbiquitiDiscovery() {
        let device = Devices.make { $0.software[.lldp] = "US.example switch" }
        #expect(!device.signalValues.contains { $0.signal == .ubntFirmware })
        #expect(classifier.classify(device).type.evidence.allSatisfy { $0.signal != "ubnt_firmware" })
    }

    @Test func signalValues_giveTheRole_theModel_andItsWords() {
        let values = Self.announcing(model: "NanoStation loco M5 (LM5)").signalValues
        #expect(values.contains(SignalValue(.role, "ubnt_sender")))
        #expect(values.contains(SignalValue(.inventoryModel, "NanoStation loco M5 (LM5)")))
        #expect(values.filter { $0.signal == .product }.map(\.value) == ["LM5", "NanoStation", "loco"])
    }
}

/// The corpus's UniFi Security Gateway (`discovery-other/ndpi__ubntac2.pcap`: eight announcements, no other
/// traffic) replayed through the reader, decoder, registry and classifier stage: a router, by its platform.
struct UbiquitiDiscoveryCorpusClassificationTests {
    @Test(.needsCorpus) func replay_classifiesTheGateway_asARouter_byItsPlatform() throws {
        let corpus = try #require(EvaluationSet.corpus, "pcap corpus not found")
        let vendors = try OUIRegistry.loadDefault()
        let registry = try EvaluationSet.replay(
            corpus.appendingPathComponent("discovery-other/ndpi__ubntac2.pcap").path, vendors: vendors)
        let device = try #require(registry.device(MACAddress("80:2a:a8:8d:69:2c")!))
        let result = try #require(device.classification)
        #expect(result.type.value == .router)
        #expect(Set(result.type.evidence.map(\.rule)) == ["product.ubiquiti.ugw", "ubnt.firmware.usg"])
        #expect(result.model?.value == "UGW3")
        #expect(result.manufacturer?.value == "Ubiquiti")
        #expect(
            result.type.evidence.contains {
                $0.signal == "product" && $0.value == "UGW3" && $0.rule == "product.ubiquiti.ugw"
            }, "\(result.type.evidence)")
        // Its WAN interface's MAC, stated in the announcement, is no device of this link.
        #expect(registry.device(MACAddress("80:2a:a8:8d:69:2b")!) == nil)
    }
}
