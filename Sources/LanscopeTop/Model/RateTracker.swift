/// Bytes per second, sent and received, for one device.
public struct TrafficRate: Equatable, Sendable {
    public var transmitted: Double
    public var received: Double
    public var total: Double { transmitted + received }

    public init(transmitted: Double, received: Double) {
        self.transmitted = transmitted
        self.received = received
    }
}

/// Turns successive counter scrapes into rates, the way Prometheus' `rate()` treats counters: a
/// counter lower than before was reset (the device expired and came back, or lanscope restarted) and
/// counts from zero; a device seen for the first time has no rate until its second scrape; a device
/// gone from a scrape is forgotten.
public struct RateTracker: Sendable {
    struct Sample: Sendable {
        var transmitted: UInt64
        var received: UInt64
    }

    private var previous: [String: Sample] = [:]
    private var previousTime: Double? = nil
    public private(set) var rates: [String: TrafficRate] = [:]

    public init() {}

    /// Feeds one scrape taken at `time` (monotonic seconds) and returns every device's rate.
    @discardableResult
    public mutating func update(_ devices: [DeviceSummary], at time: Double) -> [String: TrafficRate] {
        var current: [String: Sample] = [:]
        current.reserveCapacity(devices.count)
        var next: [String: TrafficRate] = [:]
        next.reserveCapacity(devices.count)
        let elapsed = previousTime.map { time - $0 } ?? 0
        for d in devices {
            let sample = Sample(transmitted: d.transmittedBytes, received: d.receivedBytes)
            current[d.mac] = sample
            guard elapsed > 0, let before = previous[d.mac] else { continue }
            next[d.mac] = TrafficRate(
                transmitted: Self.delta(before.transmitted, sample.transmitted) / elapsed,
                received: Self.delta(before.received, sample.received) / elapsed)
        }
        // A scrape at the same instant (or a clock step back) keeps the last rates rather than inventing zeros.
        if elapsed <= 0, previousTime != nil {
            next = rates.filter { current[$0.key] != nil }
        }
        previous = current
        previousTime = time
        rates = next
        return next
    }

    /// Growth of a counter between two readings; a reset counts from zero.
    static func delta(_ before: UInt64, _ after: UInt64) -> Double {
        after >= before ? Double(after - before) : Double(after)
    }
}
