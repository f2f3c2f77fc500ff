import Inventory
import LanscopeCore
import TestSupport
import Testing

@testable import Fingerprinting

/// Properties every classification must keep, whatever the device.
struct ClassifierPropertyTests {
    let classifier = DeviceClassifier()
    let mac = MACAddress(0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30)

    /// Facts of a busy device: several signals, some agreeing, some not.
    var facts: [Fact] {
        [
            .hostname("Lucas-iMac", via: .dhcp),
            .hostname("Lucas-iMac", via: .mdns),
            .dhcpClient(Devices.dhcp([1, 121, 3, 6, 15, 119, 252, 95, 44, 46])),
            .service(Devices.mdns("_companion-link._tcp")),
            .service(Devices.mdns("_device-info._tcp", name: "Lucas iMac", txt: [("model", "iMac11,3")])),
            .service(Devices.mdns("_smb._tcp")),
            .service(Devices.mdns("_ssh._tcp")),
            .service(Devices.mdns("_airplay._tcp")),
            .tcpSignature(
                TCPSignature(
                    ipVersion: 4, ttl: 64, dontFragment: true, window: 65535,
                    options: [2, 1, 3, 1, 1, 8, 4, 0, 0], mss: 1460, windowScale: 6)),
            .dnsQuery("init.push.apple.com"),
            .dnsQuery("www.roku.com"),
            .httpClient(HTTPClientFingerprint(userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)")),
            .address(.v4(IPv4Address(192, 168, 1, 20)), via: .dhcp),
        ]
    }

    func classify(_ order: [Fact]) throws -> DeviceClassification {
        let registry = DeviceRegistry(vendorLookup: { _ in "Apple, Inc." })
        var time = Devices.time
        for fact in order {
            _ = registry.record([Observation(mac: mac, time: time, fact: fact)])
            time = time + .seconds(1)
        }
        return classifier.classify(try #require(registry.device(mac)))
    }

    @Test func classify_givesTheSameAnswer_forEveryOrderOfTheSameFacts() throws {
        let reference = try classify(facts)
        #expect(reference.type.value == .desktop)
        var generator = SplitMix64(seed: 0x5eed)
        for _ in 0..<50 {
            let shuffled = facts.shuffled(using: &generator)
            #expect(try classify(shuffled) == reference)
        }
        #expect(try classify(facts.reversed()) == reference)
    }

    /// A memo of what values contributed (`ClassifierMemo`, kept across a stage's ticks) changes no
    /// answer: devices sharing some values, each classified twice (the second from the memo), with a
    /// linked device, and with a memo so small it keeps starting over.
    @Test func classify_withAMemo_givesWhatItGivesWithout() throws {
        let registry = DeviceRegistry(vendorLookup: { _ in "Apple, Inc." })
        var devices: [Device] = []
        for count in 1...facts.count {
            let device = MACAddress(rawValue: mac.rawValue + UInt64(count))
            _ = registry.record(facts.prefix(count).map { Observation(mac: device, time: Devices.time, fact: $0) })
            devices.append(try #require(registry.device(device)))
        }
        for capacity in [ClassifierMemo.defaultCapacity, 3] {
            let memo = ClassifierMemo(capacity: capacity)
            for _ in 0..<2 {
                for (index, device) in devices.enumerated() {
                    #expect(classifier.classify(device, memo: memo) == classifier.classify(device))
                    let linked = [devices[(index + 3) % devices.count]]
                    #expect(
                        classifier.classify(device, with: linked, memo: memo)
                            == classifier.classify(device, with: linked))
                }
            }
            #expect(memo.count > 0 && memo.count <= capacity)
        }
    }

    @Test func classify_keepsAStrongConclusion_againstAnyWeakContradiction() {
        let strong = Devices.make(vendor: "Seiko Epson Corporation") {
            $0.services = [Devices.mdns("_ipp._tcp"), Devices.mdns("_pdl-datastream._tcp")]
        }
        #expect(classifier.classify(strong).type.value == .printer)
        // Every weak (≤ 1) rule the built-in set has that concludes another type, all at once.
        let weak = classifier.signatures.rules.filter { rule in
            rule.weight <= 1 && rule.match != .any
                && rule.conclusions.contains { $0.field == .type && $0.value != .literal("printer") }
        }
        #expect(weak.count > 5)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<30 {
            let chosen = weak.shuffled(using: &generator).prefix(3)
            var signals = strong.signalValues
            for rule in chosen { signals.append(SignalValue(rule.signal, example(for: rule))) }
            let result = classifier.classify(signals: signals.sorted())
            #expect(result.type.value == .printer, "flipped by \(chosen.map(\.id))")
        }
    }

    @Test func classify_saysUnknownWithLowConfidence_forADeviceWithoutEvidence() {
        let bare = Devices.make {
            $0.addresses = [
                .v4(IPv4Address(10, 0, 0, 9)): AddressRecord(
                    firstSeen: Devices.time, lastSeen: Devices.time, source: .arp)
            ]
        }
        let result = classifier.classify(bare)
        #expect(result.type.value == .unknown)
        #expect(result.type.confidence == 0)
        #expect(result.os == nil && result.model == nil && result.manufacturer == nil)
    }

    @Test func classify_saysUnknown_forOnlyAWeakPrior() {
        let prior = Devices.make(vendor: "Espressif Inc.")
        let result = classifier.classify(prior)
        #expect(result.type.value == .unknown)
        #expect(result.type.confidence <= 0.2)
        #expect(result.manufacturer?.value == "Espressif Inc.")
    }

    @Test func classify_keepsConfidenceInZeroOne_forEveryBuiltInRuleAlone() {
        for rule in classifier.signatures.rules where rule.weight > 0 {
            let result = classifier.classify(signals: [SignalValue(rule.signal, example(for: rule))])
            for confidence in [
                result.type.confidence, result.os?.confidence, result.model?.confidence,
                result.manufacturer?.confidence,
            ].compactMap({ $0 }) {
                #expect(confidence >= 0 && confidence <= 1, "rule \(rule.id)")
            }
        }
    }

    /// A value the rule matches.
    func example(for rule: SignatureRule) -> String {
        switch rule.match {
        case .exact, .prefix, .contains: return rule.pattern + "x1"
        case .suffix: return "x1" + rule.pattern
        case .any: return "x1"
        }
    }
}
