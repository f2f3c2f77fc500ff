public import LanscopeCore

/// One device's traffic over one interval: what a live run records at every history interval, and
/// what retention folds into hourly and daily totals.
public struct TrafficSample: Sendable, Hashable {
    /// How fine a sample is. Raw samples are the live interval (`--history-interval`, default 10 s);
    /// retention sums them into hourly and then daily samples.
    public enum Tier: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case raw = 0, hourly = 1, daily = 2

        /// The bucket a coarser tier sums into (nil for raw, which has the interval's length).
        public var bucketSeconds: Int64? {
            switch self {
            case .raw: return nil
            case .hourly: return 3_600
            case .daily: return 86_400
            }
        }

        public var description: String {
            switch self {
            case .raw: return "raw"
            case .hourly: return "hourly"
            case .daily: return "daily"
            }
        }
    }

    public var mac: MACAddress
    public var tier: Tier
    /// Start of the interval (aligned to the interval's length, in UTC).
    public var start: Timestamp
    /// Length of the interval in seconds.
    public var seconds: Int64
    public var transmittedBytes: UInt64
    public var transmittedPackets: UInt64
    public var receivedBytes: UInt64
    public var receivedPackets: UInt64

    public init(
        mac: MACAddress, tier: Tier = .raw, start: Timestamp, seconds: Int64, transmittedBytes: UInt64 = 0,
        transmittedPackets: UInt64 = 0, receivedBytes: UInt64 = 0, receivedPackets: UInt64 = 0
    ) {
        self.mac = mac
        self.tier = tier
        self.start = start
        self.seconds = seconds
        self.transmittedBytes = transmittedBytes
        self.transmittedPackets = transmittedPackets
        self.receivedBytes = receivedBytes
        self.receivedPackets = receivedPackets
    }

    /// True when every counter is zero (such samples are not stored).
    public var isEmpty: Bool {
        transmittedBytes == 0 && transmittedPackets == 0 && receivedBytes == 0 && receivedPackets == 0
    }
}

/// A span of time during which a device was on the network: sightings closer together than the
/// store's `presenceGap` extend one span, a longer silence starts a new one.
public struct PresenceSpan: Sendable, Hashable {
    public var mac: MACAddress
    public var start: Timestamp
    public var end: Timestamp

    public init(mac: MACAddress, start: Timestamp, end: Timestamp) {
        self.mac = mac
        self.start = start
        self.end = end
    }
}
