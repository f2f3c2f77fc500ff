import History
import Inventory
import LanscopeCore
import LanscopePipeline
import Testing

@testable import LanscopeService

@Suite struct HistorySamplerTests {
    static let a = MACAddress(0x02, 0, 0, 0, 0, 0x0a)
    static let b = MACAddress(0x02, 0, 0, 0, 0, 0x0b)
    /// A multiple of every interval used here, so buckets start at `t0`.
    static let t0 = Timestamp(seconds: 1_700_000_400)

    static func at(_ seconds: Int64) -> Timestamp { t0 + .seconds(seconds) }

    static func delta(_ mac: MACAddress, tx: UInt64, rx: UInt64 = 0, seen: Timestamp) -> DeviceCounterDelta {
        DeviceCounterDelta(
            mac: mac, transmittedBytes: tx, transmittedPackets: tx == 0 ? 0 : 1, receivedBytes: rx,
            receivedPackets: rx == 0 ? 0 : 1, lastSeen: seen)
    }

    @Test func take_sumsTicksPerInterval_andKeepsOpenInterval() {
        let sampler = HistorySampler(interval: .seconds(10))
        sampler.record(
            TrafficTick(
                time: Self.at(5), interval: .seconds(5), deltas: [Self.delta(Self.a, tx: 100, seen: Self.at(4))]))
        sampler.record(
            TrafficTick(
                time: Self.at(10), interval: .seconds(5), deltas: [Self.delta(Self.a, tx: 50, seen: Self.at(9))]))
        sampler.record(
            TrafficTick(
                time: Self.at(15), interval: .seconds(5), deltas: [Self.delta(Self.a, tx: 7, seen: Self.at(14))]))
        let taken = sampler.take(endedBy: Self.at(15))
        // (0, 10] holds the first two ticks; (10, 20] is still open.
        #expect(
            taken.samples == [
                TrafficSample(mac: Self.a, start: Self.at(0), seconds: 10, transmittedBytes: 150, transmittedPackets: 2)
            ])
        #expect(taken.presence == [PresenceSpan(mac: Self.a, start: Self.at(4), end: Self.at(14))])
        let rest = sampler.take(endedBy: nil)
        #expect(
            rest.samples == [
                TrafficSample(mac: Self.a, start: Self.at(10), seconds: 10, transmittedBytes: 7, transmittedPackets: 1)
            ])
        #expect(rest.presence.isEmpty)
    }

    @Test func take_leavesOutIdleDevices_butCountsTheirSightings() {
        let sampler = HistorySampler(interval: .seconds(10))
        sampler.record(
            TrafficTick(
                time: Self.at(10), interval: .seconds(10),
                deltas: [Self.delta(Self.a, tx: 0, seen: Self.at(3)), Self.delta(Self.b, tx: 0, seen: Self.at(-60))]))
        let taken = sampler.take(endedBy: Self.at(20))
        #expect(taken.samples.isEmpty)
        // a was seen within the tick's span; b's last sighting is older.
        #expect(taken.presence == [PresenceSpan(mac: Self.a, start: Self.at(3), end: Self.at(3))])
    }

    @Test func take_handsPresenceOverAgain_onlyAfterResolution_andAllAtShutdown() {
        let sampler = HistorySampler(interval: .seconds(10), presenceResolution: .seconds(60))
        func seen(_ seconds: Int64) {
            sampler.record(
                TrafficTick(
                    time: Self.at(seconds), interval: .seconds(10),
                    deltas: [Self.delta(Self.a, tx: 10, seen: Self.at(seconds - 1))]))
        }
        seen(10)
        #expect(sampler.take(endedBy: Self.at(10)).presence.map(\.end) == [Self.at(9)])  // first sighting: at once
        seen(20)
        seen(30)
        #expect(sampler.take(endedBy: Self.at(30)).presence.isEmpty)  // 20 s after what was handed over
        seen(70)
        // 61 s after: one span from the first sighting not handed over yet to the latest.
        #expect(
            sampler.take(endedBy: Self.at(70)).presence == [
                PresenceSpan(mac: Self.a, start: Self.at(19), end: Self.at(69))
            ])
        seen(80)
        #expect(
            sampler.take(endedBy: nil).presence == [PresenceSpan(mac: Self.a, start: Self.at(79), end: Self.at(79))])
    }

    @Test func record_dropsOldestTick_whenNotTakenForTooLong() {
        let counters = ServiceCounters()
        let sampler = HistorySampler(interval: .seconds(10)) { counters.updateStore { $0.droppedBatches &+= 1 } }
        for i in 0..<(HistorySampler.pendingCapacity + 3) {
            sampler.record(TrafficTick(time: Self.at(Int64(i) * 10 + 10), interval: .seconds(10), deltas: []))
        }
        #expect(sampler.dropped == 3)
        #expect(counters.storeCounters().droppedBatches == 3)
    }

    /// The counters a tick reads come from a table that can go backwards (an expired device that came
    /// back, a reloaded BPF map): the samples must stay the traffic actually seen, never a wrap-around.
    @Test func pipelineTicks_neverProduceNegativeOrHugeSamples_whenCountersReset() {
        let registry = DeviceRegistry()
        let pipeline = Pipeline(registry: registry, stages: [])
        let sampler = HistorySampler(interval: .seconds(10))
        pipeline.setTickSink { sampler.record($0) }
        let totals: [UInt64] = [1_000, 3_000, 500, 900]  // reset between the 2nd and 3rd reads
        for (i, total) in totals.enumerated() {
            var cells = [PacketByteCount](repeating: .init(), count: DeviceTrafficTable.cellsPerDevice)
            cells[TrafficClass.allByOrdinal.firstIndex { $0.direction == .transmitted }!] = PacketByteCount(
                packets: total / 100, bytes: total)
            let table = DeviceTrafficTable(macs: [Self.a], lastSeen: [Self.at(Int64(i) * 10 + 9)], cells: cells)
            pipeline.setTrafficReader { table }
            pipeline.tick(at: Self.at(Int64(i) * 10 + 10))
        }
        let samples = sampler.take(endedBy: nil).samples.sorted { $0.start < $1.start }
        // 1000, then +2000, then the reset counts 500 from zero, then +400.
        #expect(samples.map(\.transmittedBytes) == [1_000, 2_000, 500, 400])
        #expect(samples.map(\.start) == [Self.at(0), Self.at(10), Self.at(20), Self.at(30)])
    }

    @Test func retentionParser_acceptsTiers_andKeepsDefaultsForOthers() throws {
        let policy = try RetentionParser.parse("raw=2d, daily=400d")
        #expect(policy.raw == .seconds(2 * 86_400))
        #expect(policy.hourly == RetentionPolicy().hourly)
        #expect(policy.daily == .seconds(400 * 86_400))
        #expect(try RetentionParser.parse("raw=1d,hourly=30d,daily=365d") == RetentionPolicy())
    }

    @Test(arguments: ["", "raw", "raw=", "raw=1x", "weekly=1d", "raw=1d,raw=2d", "raw=0s", "raw=40d", "hourly=400d"])
    func retentionParser_rejectsBadInput_withMessage(text: String) {
        #expect(throws: RetentionParser.Error.self) { try RetentionParser.parse(text) }
    }
}
