import Fingerprinting
import LanscopeCore
import Testing

/// The `wsd_type` and `wsd_scope` signals and the rules in `wsd.tsv`.
struct WSDiscoveryRuleTests {
    let classifier = DeviceClassifier()

    static func announcing(_ types: [String], scopes: [String] = []) -> Device {
        Devices.make { device in
            for type in types {
                device.services.insert(
                    ServiceAdvertisement(
                        via: .wsd, type: type, name: "urn:uuid:1", txt: scopes.map { TXTEntry(key: "scope", value: $0) }
                    ))
            }
        }
    }

    @Test func classify_findsAnONVIFCamera_andItsModel_fromItsTypesAndScopes() {
        let result = classifier.classify(
            Self.announcing(
                ["NetworkVideoTransmitter", "Device"],
                scopes: ["onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/hardware/CAM-1080"]))
        #expect(result.type.value == .camera)
        #expect(result.model?.value == "CAM-1080")
        #expect(Set(result.type.evidence.map(\.rule)) == ["wsd.onvif.nvt", "wsd.scope.onvif.encoder"])
    }

    @Test func classify_findsAPrinter_fromItsPrintService() {
        #expect(classifier.classify(Self.announcing(["PrintDeviceType", "ScanDeviceType"])).type.value == .printer)
    }

    /// A computer announcing itself over WSD is only a weak hint: `unknown` rather than a guess.
    @Test func classify_saysUnknown_forAComputerAnnouncementAlone() {
        #expect(classifier.classify(Self.announcing(["Computer", "Device"])).type.value == .unknown)
    }

    @Test func signalValues_giveTypesAndScopes_notTheEndpoint() {
        let values = Self.announcing(["NetworkVideoTransmitter"], scopes: ["onvif://www.onvif.org/hardware/X"])
            .signalValues
        #expect(values.filter { $0.signal == .wsdType }.map(\.value) == ["NetworkVideoTransmitter"])
        #expect(values.filter { $0.signal == .wsdScope }.map(\.value) == ["onvif://www.onvif.org/hardware/X"])
        #expect(!values.contains { $0.value == "urn:uuid:1" })
    }
}
