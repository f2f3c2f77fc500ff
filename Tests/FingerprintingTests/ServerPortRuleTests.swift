import Fingerprinting
import Inventory
import LanscopeCore
import Testing

/// The `tcp_port` signal: ports a device answered a TCP SYN on (its SYN-ACKs), and the rules in `ports.tsv`.
struct ServerPortRuleTests {
    let classifier = DeviceClassifier()

    static func serving(_ ports: [UInt16], vendor: String? = nil) -> Device {
        Devices.make { device in
            device.vendor = vendor
            for port in ports {
                device.services.insert(
                    ServiceAdvertisement(via: .tcp, type: ServiceAdvertisement.tcpServerType(port), port: port))
            }
        }
    }

    @Test func signalValues_giveEachServedPort_asADecimalTCPPort() {
        let values = Self.serving([631, 80]).signalValues.filter { $0.signal == .tcpPort }.map(\.value)
        #expect(values == ["631", "80"])
    }

    @Test func classify_findsAPrinter_fromThePortsItServes() {
        for ports: [UInt16] in [[631], [9100], [515], [80, 443, 631, 9100]] {
            let result = classifier.classify(Self.serving(ports, vendor: "HP Inc."))
            #expect(result.type.value == .printer, "\(ports)")
            #expect(result.type.evidence.allSatisfy { $0.signal == "tcp_port" || $0.signal == "oui" }, "\(ports)")
        }
    }

    @Test func classify_saysNothing_fromPortsAnyHostServes() {
        let result = classifier.classify(Self.serving([22, 80, 443, 445, 8080]))
        #expect(result.type.value == .unknown)
        #expect(result.os == nil)
    }

    /// A laptop sharing its printer serves IPP too: what the laptop states about itself outweighs the port.
    @Test func classify_keepsALaptop_thatSharesAPrinter() {
        var device = Self.serving([631], vendor: "Apple, Inc.")
        device.services.insert(
            ServiceAdvertisement(
                via: .mdns, type: "_device-info._tcp", name: "Office MacBook",
                txt: [TXTEntry(key: "model", value: "MacBookPro18,1")]))
        #expect(classifier.classify(device).type.value == .laptop)
    }

    @Test func registry_keepsAtMost16ServedPortsPerDevice_besideWhatItAnnounces() throws {
        let registry = DeviceRegistry()
        let mac = MACAddress(0x00, 0x12, 0x79, 0x80, 0x69, 0x60)
        let time = Timestamp(seconds: 1_700_000_000)
        let served = (UInt16(1)...40).map { port in
            Observation(
                mac: mac, time: time,
                fact: .service(
                    ServiceAdvertisement(via: .tcp, type: ServiceAdvertisement.tcpServerType(port), port: port)))
        }
        _ = registry.record(served)
        let announced = ServiceAdvertisement(via: .mdns, type: "_ipp._tcp", name: "P")
        _ = registry.record([Observation(mac: mac, time: time, fact: .service(announced))])
        let services = try #require(registry.device(mac)).services
        #expect(services.filter { $0.via == .tcp }.count == 16)
        #expect(services.contains { $0.via == .mdns })
    }
}
