import Detection
import Inventory
import LanscopeCore
import Testing

@testable import LanscopePipeline

/// Stages fed through the protocol by the real pipeline, with packet time as the clock and no capture
/// backend: what each stage sees, in which order, and what the pipeline does with their output.
@Suite struct StageProtocolTests {
    static let a = MACAddress(rawValue: 0x3c22_fb00_0001)
    static let b = MACAddress(rawValue: 0x3c22_fb00_0002)
    static let t0 = Timestamp(seconds: 1_800_000_000)

    /// Records every input it gets.
    struct Recorder: PipelineStage {
        let name = "recorder"
        var inputs: StageInputs = .all
        var log: [String] = []
        var ticks: [TrafficTick] = []
        var learningSeen: [Bool] = []

        mutating func frame(_ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput)
        {
            log.append("frame \(frame.source) op=\(frame.arpOperation)")
        }
        mutating func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {
            log.append("observation \(observation.mac)")
        }
        mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
            learningSeen.append(context.learning)
            switch change {
            case .created(let mac, _): log.append("created \(mac)")
            case .updated(let mac, _): log.append("updated \(mac)")
            case .addressClaimed(let ip, let mac, let previous, _):
                log.append("claimed \(ip) by \(mac) from \(previous.map { "\($0)" } ?? "nobody")")
            case .identityChanged(let mac, let field, let from, let to, _):
                log.append("identity \(mac) \(field.rawValue) \(from ?? "-")→\(to)")
            case .expired(let mac, _): log.append("expired \(mac)")
            }
        }
        mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
            ticks.append(tick)
        }
    }

    /// A pipeline whose stages can be read back after the run (the pipeline owns its stages' values).
    final class Harness {
        let registry = DeviceRegistry()
        let pipeline: Pipeline
        let box: StageBox

        init(configuration: Pipeline.Configuration = .init(), stage: some PipelineStage) {
            let box = StageBox(stage)
            self.box = box
            pipeline = Pipeline(registry: registry, stages: [box], configuration: configuration)
        }

        func feed(_ bytes: [UInt8], at time: Timestamp) {
            bytes.withUnsafeBytes { pipeline.process($0, wireLength: bytes.count, time: time, linkType: .ethernet) }
        }
    }

    @Test func stage_seesFrameThenObservationsThenChanges_inOrder() {
        let harness = Harness(stage: Recorder())
        harness.feed(Frames.arp(from: Self.a, ip: [10, 0, 0, 5], target: [10, 0, 0, 1]), at: Self.t0)
        let log = harness.box.as(Recorder.self).log
        #expect(
            log == [
                "frame \(Self.a) op=1",
                "observation \(Self.a)",
                "created \(Self.a)",
                "updated \(Self.a)",
                "claimed 10.0.0.5 by \(Self.a) from nobody",
            ])
    }

    @Test func frameInputs_deliverOnlyTheFramesAStageAsksFor() {
        let udp = Frames.udp(from: Self.a, to: Self.b)
        let arp = Frames.arp(from: Self.a, ip: [10, 0, 0, 5], target: [10, 0, 0, 1])
        let syn = Frames.tcp(from: Self.a, to: Self.b, flags: 0x02)
        let rst = Frames.tcp(from: Self.b, to: Self.a, flags: 0x14)
        let data = Frames.tcp(from: Self.a, to: Self.b, flags: 0x18)
        func frames(seenBy inputs: StageInputs) -> [String] {
            var recorder = Recorder()
            recorder.inputs = inputs
            let harness = Harness(stage: recorder)
            for (i, frame) in [udp, arp, syn, rst, data].enumerated() {
                harness.feed(frame, at: Self.t0 + .seconds(i))
            }
            return harness.box.as(Recorder.self).log.filter { $0.hasPrefix("frame") }
        }
        let all = [
            "frame \(Self.a) op=0", "frame \(Self.a) op=1", "frame \(Self.a) op=0", "frame \(Self.b) op=0",
            "frame \(Self.a) op=0",
        ]
        #expect(frames(seenBy: .frames) == all)
        #expect(frames(seenBy: .all) == all)
        #expect(frames(seenBy: .arpFrames) == ["frame \(Self.a) op=1"])
        #expect(frames(seenBy: .tcpControlFrames) == ["frame \(Self.a) op=0", "frame \(Self.b) op=0"])
        #expect(frames(seenBy: [.arpFrames, .tcpControlFrames]).count == 3)
        #expect(frames(seenBy: [.observations, .changes]).isEmpty)
    }

    @Test func frameKind_namesARPAndTCPControlFramesOnly() {
        var frame = FrameSummary()
        #expect(StageInputs.frameKind(of: frame).isEmpty)
        frame.arpOperation = 2
        #expect(StageInputs.frameKind(of: frame) == .arpFrames)
        frame = FrameSummary()
        frame.transport = 6
        for (flags, control) in [
            (0x02, true), (0x12, true), (0x04, true), (0x14, true), (0x10, false), (0x18, false),
            (0x01, false),
        ] as [(UInt8, Bool)] {
            frame.tcpFlags = flags
            #expect((StageInputs.frameKind(of: frame) == .tcpControlFrames) == control, "flags \(flags)")
        }
        frame.transport = 17
        frame.tcpFlags = 0x02
        #expect(StageInputs.frameKind(of: frame).isEmpty, "a UDP frame's flags byte means nothing")
    }

    @Test func addressClaim_namesThePreviousHolder_onlyWhenTheHolderChanges() {
        let harness = Harness(stage: Recorder())
        harness.feed(Frames.arp(from: Self.a, ip: [10, 0, 0, 5], target: [10, 0, 0, 1]), at: Self.t0)
        harness.feed(Frames.arp(from: Self.a, ip: [10, 0, 0, 5], target: [10, 0, 0, 1]), at: Self.t0 + .seconds(1))
        harness.feed(
            Frames.arp(from: Self.b, ip: [10, 0, 0, 5], target: [10, 0, 0, 1], operation: 2), at: Self.t0 + .seconds(2))
        let claims = harness.box.as(Recorder.self).log.filter { $0.hasPrefix("claimed") }
        #expect(
            claims == ["claimed 10.0.0.5 by \(Self.a) from nobody", "claimed 10.0.0.5 by \(Self.b) from \(Self.a)"])
        #expect(harness.registry.holder(of: .v4(IPv4Address(10, 0, 0, 5))) == Self.b)
    }

    @Test func ticks_carryCounterDeltas_everyIntervalOfPacketTime() throws {
        var configuration = Pipeline.Configuration()
        configuration.tickInterval = .seconds(10)
        let harness = Harness(configuration: configuration, stage: Recorder())
        harness.feed(Frames.udp(from: Self.a, to: Self.b, length: 100), at: Self.t0)
        harness.feed(Frames.udp(from: Self.a, to: Self.b, length: 200), at: Self.t0 + .seconds(5))
        #expect(harness.box.as(Recorder.self).ticks.isEmpty, "no tick before one interval has passed")
        harness.feed(Frames.udp(from: Self.b, to: Self.a, length: 60), at: Self.t0 + .seconds(10))
        let first = try #require(harness.box.as(Recorder.self).ticks.first)
        #expect(first.time == Self.t0 + .seconds(10))
        let deltaA = try #require(first.deltas.first { $0.mac == Self.a })
        #expect(deltaA.transmittedBytes == 300 && deltaA.transmittedPackets == 2)
        #expect(deltaA.receivedBytes == 60 && deltaA.receivedPackets == 1)
        // Only what happened since the previous tick.
        harness.feed(Frames.udp(from: Self.a, to: Self.b, length: 70), at: Self.t0 + .seconds(21))
        let second = try #require(harness.box.as(Recorder.self).ticks.last)
        #expect(second.interval == .seconds(11))
        let again = try #require(second.deltas.first { $0.mac == Self.a })
        #expect(again.transmittedBytes == 70 && again.receivedBytes == 0)
    }

    @Test func tickClock_counterThatWentBackwards_countsFromZero() {
        var clock = TickClock(interval: .seconds(1))
        func table(_ bytes: UInt64) -> DeviceTrafficTable {
            var cells = [PacketByteCount](repeating: PacketByteCount(), count: DeviceTrafficTable.cellsPerDevice)
            cells[TrafficClass(direction: .transmitted, family: .ipv4, l4: .udp).ordinal] = PacketByteCount(
                packets: 1, bytes: bytes)
            return DeviceTrafficTable(macs: [Self.a], lastSeen: [Self.t0], cells: cells)
        }
        #expect(clock.deltas(from: table(1000)).first?.transmittedBytes == 1000)
        #expect(clock.deltas(from: table(1500)).first?.transmittedBytes == 500)
        // Expired and back: the source restarted from zero.
        #expect(clock.deltas(from: table(200)).first?.transmittedBytes == 200)
    }

    @Test func expiry_runsAtTicks_andStagesSeeIt() {
        var configuration = Pipeline.Configuration()
        configuration.tickInterval = .seconds(10)
        configuration.deviceTTL = .seconds(30)
        let harness = Harness(configuration: configuration, stage: Recorder())
        harness.feed(Frames.udp(from: Self.a, to: .broadcast), at: Self.t0)
        for s in stride(from: 10, through: 50, by: 10) {
            harness.feed(Frames.udp(from: Self.b, to: .broadcast), at: Self.t0 + .seconds(Int64(s)))
        }
        #expect(harness.box.as(Recorder.self).log.contains("expired \(Self.a)"))
        #expect(harness.registry.device(Self.a) == nil)
        #expect(harness.registry.device(Self.b) != nil)
    }

    @Test func newDevice_isQuietDuringLearning_thenRaises() {
        var configuration = Pipeline.Configuration()
        configuration.learningPeriod = .seconds(60)
        let registry = DeviceRegistry()
        let pipeline = Pipeline(
            registry: registry, stages: [NewDeviceDetector(known: [])], configuration: configuration)
        func feed(_ m: MACAddress, _ s: Int64) {
            let bytes = Frames.udp(from: m, to: .broadcast)
            bytes.withUnsafeBytes {
                pipeline.process($0, wireLength: bytes.count, time: Self.t0 + .seconds(s), linkType: .ethernet)
            }
        }
        feed(Self.a, 0)
        feed(Self.a, 59)
        feed(Self.b, 61)
        pipeline.publishStatistics()
        let events = pipeline.recentAnomalies()
        #expect(events.map(\.mac) == [Self.b])
        #expect(pipeline.statistics().anomalies[.init(kind: .newDevice, severity: .info)] == 1)
    }

    /// The counter is published with the event, not at the next idle publication (≤ 1 s later, or
    /// after 4096 frames): a scrape never sees an active anomaly whose count has not grown.
    @Test func anomalyCounter_isPublished_whenTheEventIsRaised() {
        var configuration = Pipeline.Configuration()
        configuration.learningPeriod = .seconds(1)
        let pipeline = Pipeline(
            registry: DeviceRegistry(), stages: [NewDeviceDetector(known: [])], configuration: configuration)
        for (m, s) in [(Self.a, Int64(0)), (Self.b, 5)] {
            let bytes = Frames.udp(from: m, to: .broadcast)
            bytes.withUnsafeBytes {
                pipeline.process($0, wireLength: bytes.count, time: Self.t0 + .seconds(s), linkType: .ethernet)
            }
        }
        #expect(pipeline.recentAnomalies().map(\.mac) == [Self.b])
        #expect(pipeline.statistics().anomalies[.init(kind: .newDevice, severity: .info)] == 1)
    }

    /// Classifies every new device as a printer once.
    struct PrinterClassifier: PipelineStage {
        let name = "printers"
        let inputs: StageInputs = [.changes]
        var seenTypeChanges: [String] = []
        mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
            switch change {
            case .created(let mac, _):
                output.classify(mac, as: DeviceClassification(type: ClassifiedValue(value: .printer, confidence: 0.9)))
            case .identityChanged(_, .type, let from, let to, _):
                seenTypeChanges.append("\(from ?? "-")→\(to)")
            default: break
            }
        }
    }

    @Test func classification_reachesTheRegistry_andItsChangeGoesBackToStages() {
        let harness = Harness(stage: PrinterClassifier())
        harness.feed(Frames.udp(from: Self.a, to: .broadcast), at: Self.t0)
        #expect(harness.registry.device(Self.a)?.classification?.type.value == .printer)
        #expect(harness.box.as(PrinterClassifier.self).seenTypeChanges == ["-→printer"])
        harness.pipeline.publishStatistics()
        #expect(harness.pipeline.statistics().classifications == 1)
        let pending = harness.pipeline.takePendingHistory()
        #expect(
            pending.changes.contains(.identityChanged(Self.a, field: .type, from: nil, to: "printer", time: Self.t0)))
    }

    @Test func recentEvents_oneRingPerSeverity_evictionsCounted() {
        var configuration = Pipeline.Configuration()
        configuration.recentEventsPerSeverity = 2
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [], configuration: configuration)
        let critical = AnomalyEvent(
            time: Self.t0, kind: .arpSpoof, severity: .critical, mac: Self.b, summary: "gateway")
        var events = [critical]
        for i in 1...5 {
            events.append(
                AnomalyEvent(
                    time: Self.t0 + .seconds(Int64(i)), kind: .newDevice, severity: .info,
                    mac: MACAddress(rawValue: UInt64(0x0200_0000_0000 + i)), summary: "n\(i)"))
        }
        pipeline.restoreAnomalies(events)
        let kept = pipeline.recentAnomalies()
        #expect(kept.count == 3)
        #expect(kept.contains(critical), "a flood of info events cannot push out a critical one")
    }

    @Test func activeAnomalies_holdAfterTheEvent_andCapCounted() {
        var configuration = Pipeline.Configuration()
        configuration.activeHold = .seconds(60)
        configuration.maxActiveAnomalies = 2
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [], configuration: configuration)
        let macs = (1...3).map { MACAddress(rawValue: UInt64(0x3c22_fb00_0100 + $0)) }
        pipeline.restoreAnomalies(
            macs.map {
                AnomalyEvent(time: Self.t0, kind: .portScan, severity: .warning, mac: $0, summary: "scan")
            })
        let during = pipeline.activeAnomalies(at: Self.t0 + .seconds(59))
        #expect(during.active.map(\.mac) == Array(macs.prefix(2)))
        #expect(during.refused == 1)
        #expect(pipeline.activeAnomalies(at: Self.t0 + .seconds(60)).active.isEmpty)
    }

    /// A full set refuses a new pair only while none has ended; one that ended (its hold over, or
    /// closed early by a closing event) makes room.
    @Test func activeAnomalies_fullSet_makesRoomOnceAPairHasEnded() {
        var configuration = Pipeline.Configuration()
        configuration.activeHold = .seconds(60)
        configuration.maxActiveAnomalies = 2
        let pipeline = Pipeline(registry: DeviceRegistry(), stages: [], configuration: configuration)
        let macs = (1...6).map { MACAddress(rawValue: UInt64(0x3c22_fb00_0200 + $0)) }
        func event(_ mac: MACAddress, at milliseconds: Int64, closing: Bool = false) -> AnomalyEvent {
            var event = AnomalyEvent(
                time: Self.t0 + .milliseconds(milliseconds), kind: .portScan, severity: .warning, mac: mac,
                summary: "scan")
            if closing {
                event.details["phase"] = AnomalyEvent.closingPhase
                event.endTime = event.time
            }
            return event
        }
        // Full at t0 (ending at t0+60 s and t0+70 s): a pair at t0+30 s is refused, one at t0+65 s
        // takes the place of the first.
        pipeline.restoreAnomalies([
            event(macs[0], at: 0), event(macs[1], at: 10_000), event(macs[2], at: 30_000), event(macs[3], at: 65_000),
        ])
        var state = pipeline.activeAnomalies(at: Self.t0 + .seconds(66))
        #expect(state.active.map(\.mac) == [macs[1], macs[3]])
        #expect(state.refused == 1)
        // Closed at t0+67 s, the fourth pair's place goes to a pair at t0+68 s; at t0+68.5 s none has
        // ended again, so the next is refused.
        pipeline.restoreAnomalies([
            event(macs[3], at: 67_000, closing: true), event(macs[4], at: 68_000), event(macs[5], at: 68_500),
        ])
        state = pipeline.activeAnomalies(at: Self.t0 + .seconds(69))
        #expect(state.active.map(\.mac) == [macs[1], macs[4]])
        #expect(state.refused == 2)
        #expect(pipeline.activeAnomalies(at: Self.t0 + .seconds(71)).active.map(\.mac) == [macs[4]])
    }
}

/// Lets a test read a stage's state back out of the pipeline (stages are values the pipeline owns).
final class StageBox: PipelineStage, @unchecked Sendable {
    private var stage: any PipelineStage
    init(_ stage: some PipelineStage) { self.stage = stage }
    var name: String { stage.name }
    var inputs: StageInputs { stage.inputs }
    func `as`<S: PipelineStage>(_: S.Type) -> S { stage as! S }
    func frame(_ frame: FrameSummary, at time: Timestamp, context: StageContext, output: inout StageOutput) {
        stage.frame(frame, at: time, context: context, output: &output)
    }
    func observation(_ observation: Observation, context: StageContext, output: inout StageOutput) {
        stage.observation(observation, context: context, output: &output)
    }
    func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        stage.change(change, context: context, output: &output)
    }
    func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        stage.tick(tick, context: context, output: &output)
    }
}
