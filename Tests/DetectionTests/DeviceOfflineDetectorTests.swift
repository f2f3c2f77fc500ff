import LanscopeCore
import Testing

@testable import Detection

@Suite struct DeviceOfflineDetectorTests {
    let sensor = Sample.mac(0x50)

    /// Ticks every 10 s from `from` to `to` seconds; the device is last seen at the latest of `sightings`
    /// not after the tick.
    func run(_ h: inout Harness<DeviceOfflineDetector>, from: Int, to: Int, sightings: [Double]) {
        for t in stride(from: from, through: to, by: 10) {
            guard let seen = sightings.last(where: { $0 <= Double(t) }) else { continue }
            h.tick(at: Sample.at(Double(t)), [DeviceCounterDelta(mac: sensor, lastSeen: Sample.at(seen))])
        }
    }

    /// A sensor waking every 10 minutes for a day never flaps.
    @Test func deviceOffline_staysQuiet_forASleepySensorOnItsRhythm() {
        var h = Harness(DeviceOfflineDetector())
        let wakes = (0..<144).map { Double($0) * 600 }
        run(&h, from: 0, to: 86_400, sightings: wakes)
        #expect(h.events.isEmpty)
    }

    @Test func deviceOffline_sleepySensor_firesPastFourGaps() {
        var h = Harness(DeviceOfflineDetector())
        let wakes = (0..<10).map { Double($0) * 600 }  // last heard at 5400 s
        run(&h, from: 0, to: 5400 + 2400, sightings: wakes)
        #expect(h.events.isEmpty)  // 2400 s = 4 × 600 s: not yet past
        run(&h, from: 5400 + 2410, to: 5400 + 2410, sightings: wakes)
        #expect(h.events.map(\.kind) == [.deviceOffline])
        #expect(h.events.first?.details["typical_gap_s"] == "600")
    }

    @Test func deviceOffline_chattyDevice_minimumSilence_boundary() throws {
        var h = Harness(DeviceOfflineDetector())
        let seen = (0...30).map { Double($0) * 10 }  // heard every tick until 300 s
        run(&h, from: 0, to: 300 + 900, sightings: seen)
        #expect(h.events.isEmpty)
        run(&h, from: 1210, to: 1300, sightings: seen)
        let event = try #require(h.events.first)
        #expect(h.events.count == 1)
        #expect(event.severity == .info)
        #expect(event.time == Sample.at(1210))
        #expect(event.details["silence_s"] == "910")
        // Back online: a closing event for the same start.
        run(&h, from: 1310, to: 1310, sightings: seen + [1305])
        let back = try #require(h.events.last)
        #expect(h.events.count == 2)
        #expect(back.isClosing)
        #expect(back.time == event.time)
        #expect(back.endTime == Sample.at(1305))
    }

    @Test func deviceOffline_needsSightingsBeforeJudging() {
        var h = Harness(DeviceOfflineDetector())
        run(&h, from: 0, to: 10_000, sightings: [0, 10, 20])  // a visitor heard three times
        #expect(h.events.isEmpty)
    }

    @Test func deviceOffline_staysQuiet_whileLearning() {
        var h = Harness(DeviceOfflineDetector())
        h.learning = true
        run(&h, from: 0, to: 3000, sightings: (0...30).map { Double($0) * 10 })
        #expect(h.events.isEmpty)
    }
}

extension DeviceOfflineDetectorTests {
    @Test func deviceOffline_forgetsDevicesSilentPastForgetAfter() {
        var configuration = DeviceOfflineDetector.Configuration()
        configuration.forgetAfter = .seconds(3600)
        var h = Harness(DeviceOfflineDetector(configuration: configuration))
        run(&h, from: 0, to: 300, sightings: (0...30).map { Double($0) * 10 })
        #expect(h.stage.stateStatistics.entries == 1)
        h.tick(at: Sample.at(300 + 3600))
        #expect(h.stage.stateStatistics.entries == 1)
        h.tick(at: Sample.at(300 + 3600.001))
        #expect(h.stage.stateStatistics.entries == 0)
        #expect(h.events.map(\.kind) == [.deviceOffline])  // raised before it was forgotten
    }
}
