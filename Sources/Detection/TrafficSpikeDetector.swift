import LanscopeCore

/// Raises `traffic_spike` when a device's rate (bytes per second, both directions, from each tick's
/// counter deltas) is far above *its own* baseline: the baseline is an exponentially weighted moving
/// average of its rate and of the absolute deviation from it (a robust, mean-absolute-deviation
/// cousin of mean ± k·σ), and a tick is high when
///
///     rate > max(floorBytesPerSecond, level + multiplier × max(deviation, minimumRelativeDeviation × level))
///
/// for `minimumHighTicks` ticks in a row, after `warmupTicks` ticks of baseline. The floor keeps quiet
/// devices quiet (a sensor going from 20 B/s to 2 KB/s is not news); the relative term keeps a very
/// steady device from firing on a small change. The baseline is frozen during an episode, so a long
/// spike does not become normal; after `maxEpisode` the new level is adopted as the baseline and the
/// episode ends (a device whose job changed stops alerting).
///
/// One event when the spike starts (`endTime` nil) and a closing event (same kind, MAC and `time`,
/// `endTime` set, `details["phase"] = "end"`) after `endTicks` ticks back under the threshold.
///
/// What it sees: gateway and span modes count all of a device's traffic (eBPF and libpcap alike);
/// host mode counts only traffic to and from the sensor plus broadcast, so a spike between two other
/// devices is invisible there.
public struct TrafficSpikeDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Ticks of baseline before a device can raise (default 30: 5 minutes at the 10 s tick).
        public var warmupTicks: Int = 30
        /// Weight of each new tick in the moving averages, in (0, 1] (default 0.05: ~20-tick memory).
        public var smoothing: Double = 0.05
        /// How many deviations above the level a rate must be (default 6).
        public var multiplier: Double = 6
        /// Smallest deviation assumed, as a fraction of the level (default 0.5: a steady device must
        /// reach 4× its level at the default multiplier).
        public var minimumRelativeDeviation: Double = 0.5
        /// Rates below this never raise, in bytes per second (default 1,000,000 = 8 Mbit/s).
        public var floorBytesPerSecond: Double = 1_000_000
        /// High ticks in a row that start an episode (default 2).
        public var minimumHighTicks: Int = 2
        /// Ticks in a row under the threshold that end an episode (default 3).
        public var endTicks: Int = 3
        /// After this long, a spike is the device's new normal: the baseline is reset to the current
        /// rate and the episode closes (default 3600 s).
        public var maxEpisode: Duration = .seconds(3_600)
        /// Most devices tracked (default 65536; further devices are ignored and counted in
        /// `stateStatistics.dropped`).
        public var maxDevices: Int = 65_536
        public init() {}
    }

    struct Baseline: Sendable {
        var level: Double = 0
        var deviation: Double = 0
        var ticks = 0
        var highTicks = 0
        var lowTicks = 0
        var episodeStart: Timestamp?
        var peak: Double = 0
    }

    public let name = "traffic_spike"
    public let inputs: StageInputs = [.ticks, .changes]
    private let configuration: Configuration
    private var devices: [MACAddress: Baseline] = [:]
    private var dropped: UInt64 = 0

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        let seconds = tick.interval.inSeconds
        guard seconds > 0 else { return }
        for delta in tick.deltas {
            if devices[delta.mac] == nil {
                guard devices.count < configuration.maxDevices else {
                    dropped &+= 1
                    continue
                }
                devices[delta.mac] = Baseline()
            }
            update(delta.mac, rate: Double(delta.totalBytes) / seconds, at: tick.time, output: &output)
        }
    }

    public mutating func change(_ change: InventoryChange, context: StageContext, output: inout StageOutput) {
        if case .expired(let mac, _) = change { devices[mac] = nil }
    }

    public var stateStatistics: StageStateStatistics { StageStateStatistics(entries: devices.count, dropped: dropped) }

    /// The rate above which a tick is high, for a baseline.
    func threshold(_ baseline: Baseline) -> Double {
        let spread = max(baseline.deviation, configuration.minimumRelativeDeviation * baseline.level)
        return max(configuration.floorBytesPerSecond, baseline.level + configuration.multiplier * spread)
    }

    private mutating func update(_ mac: MACAddress, rate: Double, at time: Timestamp, output: inout StageOutput) {
        var b = devices[mac]!
        defer { devices[mac] = b }
        let limit = threshold(b)
        let warm = b.ticks >= configuration.warmupTicks
        if let start = b.episodeStart {
            b.peak = max(b.peak, rate)
            b.lowTicks = rate > limit ? 0 : b.lowTicks + 1
            let adopted = time - start >= configuration.maxEpisode
            if b.lowTicks >= configuration.endTicks || adopted {
                output.raise(event(mac, b, start: start, rate: rate, limit: limit, end: time, adopted: adopted))
                if adopted {
                    b.level = rate
                    b.deviation = 0
                }
                b.episodeStart = nil
                b.highTicks = 0
                b.lowTicks = 0
            }
            return
        }
        if warm && rate > limit {
            b.highTicks += 1
            if b.highTicks >= configuration.minimumHighTicks {
                b.episodeStart = time
                b.peak = rate
                b.lowTicks = 0
                output.raise(event(mac, b, start: time, rate: rate, limit: limit, end: nil, adopted: false))
            }
            return  // high ticks do not teach the baseline
        }
        b.highTicks = 0
        let alpha = b.ticks == 0 ? 1 : configuration.smoothing
        let error = rate - b.level
        b.level += alpha * error
        b.deviation += alpha * (abs(error) - b.deviation)
        b.ticks += 1
    }

    private func event(
        _ mac: MACAddress, _ b: Baseline, start: Timestamp, rate: Double, limit: Double, end: Timestamp?,
        adopted: Bool
    ) -> AnomalyEvent {
        var details = [
            "rate_bytes_per_second": String(Int(rate.rounded())),
            "baseline_bytes_per_second": String(Int(b.level.rounded())),
            "deviation_bytes_per_second": String(Int(b.deviation.rounded())),
            "threshold_bytes_per_second": String(Int(limit.rounded())),
            "peak_bytes_per_second": String(Int(b.peak.rounded())),
        ]
        let summary: String
        if let end {
            details["phase"] = AnomalyEvent.closingPhase
            if adopted { details["adopted_as_baseline"] = "true" }
            summary =
                "traffic spike of \(mac) over after \(Int((end - start).inSeconds)) s (peak \(Self.rateText(b.peak)))"
        } else {
            summary = "traffic spike of \(mac): \(Self.rateText(rate)) against a baseline of \(Self.rateText(b.level))"
        }
        return AnomalyEvent(
            time: start, kind: .trafficSpike, severity: .warning, mac: mac, summary: summary,
            details: details, endTime: end)
    }

    /// `12.3 MB/s`, `850 kB/s`, `40 B/s` (decimal units).
    static func rateText(_ bytesPerSecond: Double) -> String {
        let units: [(Double, String)] = [(1e9, "GB/s"), (1e6, "MB/s"), (1e3, "kB/s")]
        for (scale, unit) in units where bytesPerSecond >= scale {
            return "\((bytesPerSecond / scale * 10).rounded() / 10) \(unit)"
        }
        return "\(Int(bytesPerSecond.rounded())) B/s"
    }
}
