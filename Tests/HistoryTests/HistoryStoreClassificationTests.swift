import LanscopeCore
import Testing

@testable import History

/// `devices.classification` holds the classifier's latest conclusion: each batch's device that carries
/// one replaces the stored one (whatever the batch's times), and a device without one leaves it.
@Suite struct HistoryStoreClassificationTests {
    static func classification(_ type: DeviceType, _ os: String) -> DeviceClassification {
        DeviceClassification(
            type: .init(
                value: type, confidence: 0.75,
                evidence: [.init(signal: "hostname", value: "box \"1\"", rule: "host.\(type)", weight: 0.5)]),
            os: .init(value: os, confidence: 0.5))
    }

    static func device(_ n: Int, last: Int64, _ classification: DeviceClassification?) -> Device {
        var device = Fixtures.device(n, last: last)
        device.classification = classification
        return device
    }

    @Test func write_classification_latestReplaces_absentKeeps() throws {
        let dir = try TemporaryDirectory()
        let store = try HistoryStore(path: dir.file("lanscope.db"))
        let printer = Self.classification(.printer, "Linux")
        let camera = Self.classification(.camera, "RTOS")
        let tv = Self.classification(.tv, "Tizen")
        try store.write(HistoryBatch(devices: [Self.device(1, last: 60, printer), Self.device(2, last: 60, nil)]))
        #expect(try store.device(Fixtures.mac(1))?.classification == printer)
        #expect(try store.device(Fixtures.mac(2))?.classification == nil)

        try store.write(HistoryBatch(devices: [Self.device(1, last: 120, camera), Self.device(2, last: 120, tv)]))
        #expect(try store.device(Fixtures.mac(1))?.classification == camera)
        #expect(try store.device(Fixtures.mac(2))?.classification == tv)

        // No conclusion this time: the stored one stays. A conclusion from an older batch still replaces it.
        try store.write(HistoryBatch(devices: [Self.device(1, last: 180, nil), Self.device(2, last: 30, printer)]))
        #expect(try store.device(Fixtures.mac(1))?.classification == camera)
        #expect(try store.device(Fixtures.mac(2))?.classification == printer)
    }
}
