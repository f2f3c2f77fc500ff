import LanscopeCore
import Testing

@testable import Detection

@Suite struct TrafficSpikeDetectorTests {
    let camera = Sample.mac(0x40)

    /// Feeds one tick per rate (bytes per second over a 10 s tick), from tick `first`.
    func feed(_ h: inout Harness<TrafficSpikeDetector>, _ rates: [Double], first: Int = 0, mac: MACAddress? = nil) {
        for (i, rate) in rates.enumerated() {
            let time = Sample.at(Double(first + i + 1) * 10)
            h.tick(
                at: time, [DeviceCounterDelta(mac: mac ?? camera, transmittedBytes: UInt64(rate * 10), lastSeen: time)])
        }
    }

    let steady = [Double](repeating: 100_000, count: 30)

    @Test func trafficSpike_threshold_boundaries() {
        // Steady 100 kB/s: level 100 kB/s, no deviation → threshold max(1 MB/s, 100k + 6 × 50k) = 1 MB/s.
        var under = Harness(TrafficSpikeDetector())
        feed(&under, steady + [1_000_000, 1_000_000, 1_000_000])
        #expect(under.events.isEmpty)

        var over = Harness(TrafficSpikeDetector())
        feed(&over, steady + [1_000_000.1, 1_000_000.1])
        #expect(over.events.count == 1)
        #expect(over.events.first?.details["baseline_bytes_per_second"] == "100000")
        #expect(over.events.first?.details["threshold_bytes_per_second"] == "1000000")
        #expect(over.events.first?.endTime == nil)
    }

    @Test func trafficSpike_needsConsecutiveHighTicks() {
        var h = Harness(TrafficSpikeDetector())
        feed(&h, steady + [50_000_000, 100_000, 50_000_000, 100_000])
        #expect(h.events.isEmpty)
    }

    @Test func trafficSpike_staysQuiet_duringWarmup() {
        var h = Harness(TrafficSpikeDetector())
        feed(&h, Array(steady.dropLast()) + [50_000_000])
        #expect(h.events.isEmpty)
        feed(&h, [50_000_000], first: 30)
        #expect(h.events.isEmpty)  // the first high tick after warm-up
    }

    @Test func trafficSpike_raisesOnePerEpisode_withItsEnd() throws {
        var h = Harness(TrafficSpikeDetector())
        feed(&h, steady + [Double](repeating: 40_000_000, count: 20) + [100_000, 100_000, 100_000])
        #expect(h.events.count == 2)
        let start = try #require(h.events.first), end = try #require(h.events.last)
        #expect(start.mac == camera)
        #expect(start.time == Sample.at(320))
        #expect(start.summary == "traffic spike of \(camera): 40.0 MB/s against a baseline of 100.0 kB/s")
        #expect(end.isClosing)
        #expect(end.time == start.time)
        #expect(end.endTime == Sample.at(530))
        #expect(end.details["peak_bytes_per_second"] == "40000000")
    }

    /// A busy but steady device: a NAS serving 50 MB/s ± 20 % all day.
    @Test func trafficSpike_staysQuiet_forABusySteadyDevice() {
        var h = Harness(TrafficSpikeDetector())
        feed(&h, (0..<2000).map { 50_000_000 * [1.0, 1.2, 0.85, 1.1, 0.8, 1.15][$0 % 6] })
        #expect(h.events.isEmpty)
    }

    /// A sleepy sensor that sends 2 KB every few minutes stays under the floor.
    @Test func trafficSpike_staysQuiet_underTheFloor() {
        var h = Harness(TrafficSpikeDetector())
        feed(&h, (0..<200).map { $0.isMultiple(of: 30) ? 2_000 : 0 })
        #expect(h.events.isEmpty)
    }

    @Test func trafficSpike_adoptsALongSpikeAsTheNewBaseline() {
        var h = Harness(TrafficSpikeDetector())
        feed(&h, steady + [Double](repeating: 20_000_000, count: 400))
        #expect(h.events.count == 2)
        #expect(h.events.last?.details["adopted_as_baseline"] == "true")
    }

    @Test func trafficSpike_countsDevicesRefusedAtItsCap() {
        var configuration = TrafficSpikeDetector.Configuration()
        configuration.maxDevices = 1
        var h = Harness(TrafficSpikeDetector(configuration: configuration))
        feed(&h, [1, 1], mac: Sample.mac(1))
        feed(&h, [1], first: 2, mac: Sample.mac(2))
        #expect(h.stage.stateStatistics == StageStateStatistics(entries: 1, dropped: 1))
    }
}
