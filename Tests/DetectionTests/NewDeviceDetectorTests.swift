import LanscopeCore
import Testing

@testable import Detection

@Suite struct NewDeviceDetectorTests {
    let phone = Sample.mac(0x10, local: true)
    let laptop = Sample.mac(0x20)

    @Test func newDevice_raisesOnce_forAnUnknownUniversalMAC() {
        var h = Harness(NewDeviceDetector(known: []))
        h.inventory.add(laptop, firstSeen: Sample.at(0))
        let events = h.change(.created(laptop, time: Sample.at(0)))
        h.change(.created(laptop, time: Sample.at(5)))
        #expect(events.map(\.kind) == [.newDevice])
        #expect(events.first?.mac == laptop)
        #expect(h.events.count == 1)
    }

    @Test func newDevice_staysQuiet_whileLearning() {
        var h = Harness(NewDeviceDetector(known: []))
        h.learning = true
        h.change(.created(laptop, time: Sample.at(0)))
        h.learning = false
        h.change(.created(laptop, time: Sample.at(10)))
        #expect(h.events.isEmpty)
    }

    @Test func newDevice_staysQuiet_forAPrivateMACLinkedAtCreation() {
        var h = Harness(NewDeviceDetector(known: [laptop]))
        var device = h.inventory.add(phone, firstSeen: Sample.at(0))
        device.privateMACLink = PrivateMACLink(mac: laptop, confidence: 0.9, evidence: [])
        h.inventory.devices[phone] = device
        h.change(.created(phone, time: Sample.at(0)))
        h.tick(at: Sample.at(120))
        #expect(h.events.isEmpty)
    }

    /// A phone rotating its private MAC: the link arrives after the MAC is created, within the deferral.
    @Test func newDevice_staysQuiet_forAPrivateMACLinkedWithinTheDeferral() {
        var h = Harness(NewDeviceDetector(known: [laptop]))
        h.inventory.add(phone, firstSeen: Sample.at(0))
        h.change(.created(phone, time: Sample.at(0)))
        h.inventory.devices[phone]?.privateMACLink = PrivateMACLink(mac: laptop, confidence: 0.8, evidence: [])
        h.tick(at: Sample.at(60))
        h.tick(at: Sample.at(600))
        #expect(h.events.isEmpty)
    }

    @Test func newDevice_raisesAnUnlinkedPrivateMAC_atTheFirstTickAfterTheDeferral() {
        var h = Harness(NewDeviceDetector(known: []))
        h.inventory.add(phone, firstSeen: Sample.at(0))
        h.change(.created(phone, time: Sample.at(0)))
        #expect(h.tick(at: Sample.at(59.999)).isEmpty)
        let events = h.tick(at: Sample.at(60))
        #expect(events.map(\.mac) == [phone])
        #expect(events.first?.time == Sample.at(0))
        #expect(events.first?.details["locally_administered"] == "true")
        #expect(h.tick(at: Sample.at(120)).isEmpty)
    }

    /// A replay ends: no later tick will come, so what waits is reported now.
    @Test func newDevice_flushesWaitingPrivateMACs_atTheFinalTick() {
        var h = Harness(NewDeviceDetector(known: []))
        h.change(.created(phone, time: Sample.at(0)))
        #expect(h.tick(at: Sample.at(5), final: true).map(\.mac) == [phone])
    }

    @Test func newDevice_reportsAtOnce_whenTheDeferralIsZero() {
        var configuration = NewDeviceDetector.Configuration()
        configuration.privateMACDeferral = .zero
        var h = Harness(NewDeviceDetector(known: [], configuration: configuration))
        #expect(h.change(.created(phone, time: Sample.at(0))).map(\.mac) == [phone])
    }

    @Test func newDevice_countsDroppedMACs_atItsCap() {
        var configuration = NewDeviceDetector.Configuration()
        configuration.maxKnown = 1
        var h = Harness(NewDeviceDetector(known: [], configuration: configuration))
        h.change(.created(Sample.mac(1), time: Sample.at(0)))
        h.change(.created(Sample.mac(2), time: Sample.at(1)))
        #expect(h.stage.stateStatistics.dropped == 1)
        #expect(h.events.count == 2)
    }
}
