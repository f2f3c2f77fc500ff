import Inventory
import LanscopeCore
import Testing

@testable import LanscopePipeline

/// What the pipeline keeps for the history store between flushes: each distinct (device, fact) once
/// with its distinct times, and which devices need their row rewritten.
@Suite struct PendingEvidenceTests {
    static let a = MACAddress(rawValue: 0x3c22_fb00_0001)
    static let b = MACAddress(rawValue: 0x3c22_fb00_0002)
    static let t0 = Timestamp(seconds: 1_800_000_000)
    static let dns = Fact.dnsQuery("camera.vendor-cloud.example")

    static func observation(_ mac: MACAddress, _ seconds: Int64, _ fact: Fact = dns) -> Observation {
        Observation(mac: mac, time: t0 + .seconds(seconds), fact: fact)
    }

    /// `insert` outside `#expect` (the macro cannot call a mutating method).
    static func add(_ pending: inout PendingEvidence, _ o: Observation, facts: Int, observations: Int) -> Bool {
        pending.insert(o, maxFacts: facts, maxObservations: observations)
    }

    @Test func insert_repeatedFact_keepsEachDistinctTimeOnce() {
        var pending = PendingEvidence()
        for seconds: Int64 in [1, 2, 2, 0, 1, 3] {
            let kept = Self.add(&pending, Self.observation(Self.a, seconds), facts: 10, observations: 10)
            #expect(kept)
        }
        let keptB = Self.add(&pending, Self.observation(Self.b, 1), facts: 10, observations: 10)
        #expect(keptB)
        #expect(pending.factCount == 2)
        #expect(pending.observationCount == 5)
        let expected: Set<Observation> = [
            Self.observation(Self.a, 0), Self.observation(Self.a, 1), Self.observation(Self.a, 2),
            Self.observation(Self.a, 3), Self.observation(Self.b, 1),
        ]
        #expect(pending.observations.count == 5)
        #expect(Set(pending.observations) == expected)
    }

    /// `devices` names every device with a held fact, and only those: a refused fact adds none.
    @Test func devices_areTheDevicesOfHeldFacts() {
        var pending = PendingEvidence()
        #expect(pending.devices.isEmpty)
        let c = MACAddress(rawValue: 0x3c22_fb00_0003)
        let kept = [
            Self.observation(Self.a, 1), Self.observation(Self.a, 2),
            Self.observation(Self.b, 1, .dnsQuery("x.example")),
            Self.observation(c, 1, .dnsQuery("y.example")),
        ].map { Self.add(&pending, $0, facts: 2, observations: 10) }
        #expect(kept == [true, true, true, false])
        #expect(pending.devices == [Self.a, Self.b])
        var seen: Set<MACAddress> = []
        pending.forEachFact { mac, _, _ in seen.insert(mac) }
        #expect(seen == pending.devices)
    }

    @Test func insert_full_refusesOnlyNewObservations() {
        var pending = PendingEvidence()
        let seconds: [(MACAddress, Int64)] = [(Self.a, 1), (Self.b, 1), (Self.a, 1), (Self.a, 2), (Self.a, 3)]
        let kept = seconds.map { Self.add(&pending, Self.observation($0.0, $0.1), facts: 1, observations: 2) }
        // A new fact past the fact cap is refused; a held observation is not "refused"; past the
        // observation cap, a new time of a held fact is refused too.
        #expect(kept == [true, false, true, true, false])
        #expect(pending.observationCount == 2)
        #expect(pending.factCount == 1)
    }

    @Test func pipeline_repeatedFrames_deviceChangedButNotRevised() {
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [])
        let arp = Frames.arp(from: Self.a, ip: [10, 0, 0, 7], target: [10, 0, 0, 1])
        func feed(_ seconds: Int64) {
            arp.withUnsafeBytes {
                pipeline.process($0, wireLength: arp.count, time: Self.t0 + .seconds(seconds), linkType: .ethernet)
            }
        }
        feed(0)
        let first = pipeline.takePendingHistory()
        #expect(first.changedDevices.contains(Self.a))
        #expect(first.revisedDevices.contains(Self.a))
        feed(1)
        feed(2)
        let repeats = pipeline.takePendingHistory()
        // The same ARP again: its times go to history and the device's last_seen moves (live
        // flushes write changedDevices), but nothing a replay must rewrite on the way.
        #expect(repeats.changedDevices == [Self.a])
        #expect(repeats.revisedDevices.isEmpty)
        #expect(repeats.evidence.factCount >= 1)
        #expect(Set(repeats.observations.map(\.time)) == [Self.t0 + .seconds(1), Self.t0 + .seconds(2)])
    }
}
