import LanscopeCore

/// Raises `device_offline` (info) when a device stays silent well past its own check-in rhythm, and a
/// closing event when it is heard again ("back online": same kind, MAC and `time`, `endTime` = when it
/// was heard, `details["phase"] = "end"`).
///
/// The rhythm is learned from each tick's `lastSeen`: every time it advances, the gap since the
/// previous sighting feeds a slowly decaying maximum (the longest recent gap, multiplied by `gapDecay`
/// at each sighting), so one long nap is remembered for a while. A device is offline when
///
///     now − lastSeen > max(minimumSilence, multiplier × typical gap)
///
/// after `minimumSightings` sightings. A sensor that wakes every 10 minutes therefore needs 40 minutes
/// of silence at the defaults, a chatty laptop `minimumSilence`. The silence that raised an event is
/// not learned as a rhythm (a week away must not make the device "sleepy").
///
/// What it sees: activity is whatever the traffic source counts — every frame in gateway/span mode,
/// only broadcast/multicast and traffic with the sensor in host mode (devices look sleepier there and
/// the learned rhythm follows). eBPF and libpcap agree.
public struct DeviceOfflineDetector: PipelineStage {
    public struct Configuration: Sendable, Hashable {
        /// Silence never shorter than this raises (default 900 s).
        public var minimumSilence: Duration = .seconds(900)
        /// How many typical gaps of silence make a device offline (default 4).
        public var multiplier: Double = 4
        /// Sightings (advances of lastSeen) before a device can be reported (default 5).
        public var minimumSightings: Int = 5
        /// Decay of the longest-gap memory per sighting, in (0, 1] (default 0.98: a long gap fades over
        /// ~35 sightings).
        public var gapDecay: Double = 0.98
        /// A device silent this long is forgotten (default 7 days): its state is freed, and if it
        /// returns it starts a new rhythm without a "back online" event.
        public var forgetAfter: Duration = .seconds(7 * 86_400)
        /// Most devices tracked (default 65536; further devices counted in `stateStatistics.dropped`).
        public var maxDevices: Int = 65_536
        public init() {}
    }

    struct Rhythm: Sendable {
        var lastSeen: Timestamp
        var sightings = 0
        /// Longest recent gap in seconds, decaying.
        var typicalGap: Double = 0
        /// When the offline event was raised (its `time`), while the device is offline.
        var offlineSince: Timestamp?
    }

    public let name = "device_offline"
    public let inputs: StageInputs = [.ticks]
    private let configuration: Configuration
    private var devices: [MACAddress: Rhythm] = [:]
    private var dropped: UInt64 = 0

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public mutating func tick(_ tick: TrafficTick, context: StageContext, output: inout StageOutput) {
        for delta in tick.deltas {
            guard var rhythm = devices[delta.mac] else {
                if devices.count < configuration.maxDevices {
                    devices[delta.mac] = Rhythm(lastSeen: delta.lastSeen)
                } else {
                    dropped &+= 1
                }
                continue
            }
            if delta.lastSeen > rhythm.lastSeen {
                if let since = rhythm.offlineSince {
                    output.raise(backOnline(delta.mac, rhythm, since: since, heard: delta.lastSeen))
                    rhythm.offlineSince = nil
                } else {
                    let gap = (delta.lastSeen - rhythm.lastSeen).inSeconds
                    rhythm.typicalGap = max(gap, rhythm.typicalGap * configuration.gapDecay)
                }
                rhythm.sightings += 1
                rhythm.lastSeen = delta.lastSeen
            }
            devices[delta.mac] = rhythm
        }
        // Devices no longer in the table (expired) keep their state until `forgetAfter`: silence is
        // judged on all of them.
        for mac in devices.keys.sorted() {
            let rhythm = devices[mac]!
            if tick.time - rhythm.lastSeen > configuration.forgetAfter {
                devices[mac] = nil
                continue
            }
            guard rhythm.offlineSince == nil, rhythm.sightings >= configuration.minimumSightings, !context.learning
            else { continue }
            let silence = tick.time - rhythm.lastSeen
            guard silence > allowedSilence(rhythm) else { continue }
            devices[mac]!.offlineSince = tick.time
            output.raise(offline(mac, rhythm, at: tick.time))
        }
    }

    public var stateStatistics: StageStateStatistics { StageStateStatistics(entries: devices.count, dropped: dropped) }

    func allowedSilence(_ rhythm: Rhythm) -> Duration {
        let learned = Duration.milliseconds(Int64((configuration.multiplier * rhythm.typicalGap * 1000).rounded()))
        return max(configuration.minimumSilence, learned)
    }

    private func offline(_ mac: MACAddress, _ rhythm: Rhythm, at time: Timestamp) -> AnomalyEvent {
        let silence = Int((time - rhythm.lastSeen).inSeconds)
        return AnomalyEvent(
            time: time, kind: .deviceOffline, severity: .info, mac: mac,
            summary:
                "\(mac) silent for \(silence) s (usually heard every \(Int(rhythm.typicalGap.rounded())) s or less)",
            details: [
                "last_seen": rhythm.lastSeen.rfc3339, "silence_s": String(silence),
                "typical_gap_s": String(Int(rhythm.typicalGap.rounded())),
                "allowed_silence_s": EventEvidence.seconds(allowedSilence(rhythm)),
            ])
    }

    private func backOnline(_ mac: MACAddress, _ rhythm: Rhythm, since: Timestamp, heard: Timestamp) -> AnomalyEvent {
        AnomalyEvent(
            time: since, kind: .deviceOffline, severity: .info, mac: mac,
            summary: "\(mac) back online after \(Int((heard - rhythm.lastSeen).inSeconds)) s of silence",
            details: [
                "phase": AnomalyEvent.closingPhase, "last_seen": rhythm.lastSeen.rfc3339, "heard": heard.rfc3339,
            ],
            endTime: heard)
    }
}
