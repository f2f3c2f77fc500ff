import LanscopeCore
import Testing

@testable import Detection

/// Feeding the same inputs to a fresh set of detectors yields the same events, in the same order.
@Suite struct DeterminismTests {
    enum Input {
        case frame(FrameSummary, Timestamp)
        case observation(Observation)
        case change(InventoryChange)
        case tick(TrafficTick)
    }

    /// A scripted LAN with one of every attack: a scan, a sweep, a gateway spoof, a rogue DHCP server and
    /// RA, a traffic burst, a cloned MAC and a device going away.
    static func script() -> [Input] {
        let gateway = Sample.mac(0x01), attacker = Sample.mac(0x66), camera = Sample.mac(0x40),
            laptop = Sample.mac(0x20)
        var inputs: [Input] = [
            .observation(
                Observation(
                    mac: gateway, time: Sample.at(0),
                    fact: .dhcpServer(serverIdentifier: Sample.ipv4(1), messageType: 5))),
            .observation(
                Observation(
                    mac: gateway, time: Sample.at(0),
                    fact: .routerAdvertisement(RouterAdvertisement(routerLifetime: 1800)))),
            .change(.created(attacker, time: Sample.at(700))),
        ]
        for t in stride(from: 10, through: 3000, by: 10) {
            let time = Sample.at(Double(t))
            let burst: UInt64 = (1500...1600).contains(t) ? 400_000_000 : 1_000_000
            var deltas = [
                DeviceCounterDelta(mac: camera, transmittedBytes: burst, lastSeen: time),
                DeviceCounterDelta(mac: gateway, transmittedBytes: 5_000_000, lastSeen: time),
            ]
            deltas.append(
                DeviceCounterDelta(mac: laptop, transmittedBytes: 10_000, lastSeen: Sample.at(Double(min(t, 400)))))
            inputs.append(.tick(TrafficTick(time: time, interval: .seconds(10), deltas: deltas)))
            if t == 800 {
                for port in UInt16(1)...UInt16(300) {
                    inputs.append(
                        .frame(
                            Sample.tcp(
                                from: attacker, Sample.ip(66), to: camera, Sample.ip(40), port: port, flags: Sample.syn),
                            time))
                }
                for last in UInt8(100)...UInt8(200) {
                    inputs.append(
                        .frame(Sample.arp(from: attacker, sender: Sample.ipv4(66), target: Sample.ipv4(last)), time))
                }
            }
            if t == 900 {
                inputs.append(.change(.addressClaimed(Sample.ip(1), by: attacker, previousHolder: gateway, time: time)))
                inputs.append(
                    .change(
                        .addressClaimed(Sample.ip(1), by: gateway, previousHolder: attacker, time: time + .seconds(2))))
                inputs.append(
                    .observation(
                        Observation(
                            mac: attacker, time: time,
                            fact: .dhcpServer(serverIdentifier: Sample.ipv4(66), messageType: 2))))
                inputs.append(
                    .observation(
                        Observation(
                            mac: attacker, time: time,
                            fact: .routerAdvertisement(RouterAdvertisement(routerLifetime: 600)))))
                inputs.append(.change(.identityChanged(camera, field: .type, from: "camera", to: "laptop", time: time)))
            }
        }
        return inputs
    }

    static func run() -> [AnomalyEvent] {
        var stages = DetectionConfiguration().makeStages(known: [Sample.mac(0x01), Sample.mac(0x40), Sample.mac(0x20)])
        let inventory = FakeInventory()
        for mac in [Sample.mac(0x01), Sample.mac(0x40), Sample.mac(0x20)] {
            inventory.add(mac, firstSeen: Sample.at(0), lastSeen: Sample.at(890))
        }
        let context = StageContext(inventory: inventory)
        var events: [AnomalyEvent] = []
        for input in script() {
            for i in stages.indices {
                var output = StageOutput()
                switch input {
                case .frame(let frame, let time):
                    if stages[i].inputs.wantsFrame(of: StageInputs.frameKind(of: frame)) {
                        stages[i].frame(frame, at: time, context: context, output: &output)
                    }
                case .observation(let o):
                    if stages[i].inputs.contains(.observations) {
                        stages[i].observation(o, context: context, output: &output)
                    }
                case .change(let c):
                    if stages[i].inputs.contains(.changes) { stages[i].change(c, context: context, output: &output) }
                case .tick(let t):
                    if stages[i].inputs.contains(.ticks) { stages[i].tick(t, context: context, output: &output) }
                }
                events += output.events
            }
        }
        return events
    }

    @Test func detectors_yieldIdenticalEvents_forIdenticalInputs() {
        let first = Self.run(), second = Self.run()
        #expect(first == second)
        // The script raises every kind it stages (so the comparison is not between two empty lists).
        let kinds = Set(first.map(\.kind))
        #expect(
            kinds == [
                .newDevice, .portScan, .arpSweep, .arpSpoof, .ipConflict, .rogueDHCP, .rogueRA, .trafficSpike,
                .identityChange, .deviceOffline,
            ])
    }
}
