public import LanscopeCore
import Synchronization

/// Turns the pipeline's ticks into history: per-device traffic samples for each history interval and
/// presence sightings. The capture thread only hands over each tick's deltas (`record`, an append
/// under a lock); the maintenance thread folds them into interval buckets (`take`) for the writer.
///
/// A tick's deltas cover the time since the previous tick and go to the interval holding the tick's
/// time. Deltas are never negative: the pipeline counts a counter that went backwards (an expired
/// device that returned, a reloaded BPF table) from zero.
public final class HistorySampler: Sendable {
    /// Length of a raw sample (`--history-interval`, default 10 s).
    public let interval: Duration
    /// Ticks waiting for the next `take` at most (default 64, ten minutes of 10 s ticks); beyond,
    /// the oldest is dropped and counted (`onDrop`: `lanscope_store_dropped_batches_total`), so a
    /// stalled maintenance thread cannot grow memory.
    public static let pendingCapacity = 64

    private struct State {
        var pending: [TrafficTick] = []
        var dropped: UInt64 = 0
        /// Open intervals: start → MAC → sums.
        var buckets: [Int64: [MACAddress: Sums]] = [:]
        var sightings: [MACAddress: (first: Timestamp, last: Timestamp)] = [:]
        /// The end of the span last handed over per device, for `presenceResolution`.
        var reported: [MACAddress: Timestamp] = [:]
    }

    struct Sums {
        var transmittedBytes: UInt64 = 0, transmittedPackets: UInt64 = 0
        var receivedBytes: UInt64 = 0, receivedPackets: UInt64 = 0
    }

    private let state = Mutex(State())
    private let onDrop: @Sendable () -> Void
    /// A device's presence is handed over again only once its last sighting is this much later than
    /// what was handed over before (default 60 s; always at the first sighting and at shutdown): with
    /// 10,000 devices, a span update per device every flush would cost more than the samples.
    public let presenceResolution: Duration

    /// `onDrop` is called (on the capture thread) for each tick dropped at `pendingCapacity`.
    public init(
        interval: Duration, presenceResolution: Duration = .seconds(60), onDrop: @escaping @Sendable () -> Void = {}
    ) {
        precondition(interval > .zero, "history interval must be positive")
        self.interval = interval
        self.presenceResolution = presenceResolution
        self.onDrop = onDrop
    }

    /// Ticks dropped because `take` did not run for `pendingCapacity` ticks.
    public var dropped: UInt64 { state.withLock { $0.dropped } }

    /// Capture thread: keeps the tick for the next `take`.
    public func record(_ tick: TrafficTick) {
        let dropped = state.withLock { s in
            var dropped = false
            if s.pending.count >= Self.pendingCapacity {
                s.pending.removeFirst()
                s.dropped &+= 1
                dropped = true
            }
            s.pending.append(tick)
            return dropped
        }
        if dropped { onDrop() }
    }

    /// A device seen at `time` outside the traffic counters (a discovery frame).
    public func noteSighting(_ mac: MACAddress, at time: Timestamp) {
        state.withLock { s in Self.sight(mac, at: time, in: &s) }
    }

    /// Folds the recorded ticks into buckets and hands over every interval that ended by `now` (all of
    /// them when `now` is nil: at shutdown, the partial interval too) as samples, plus the sightings
    /// since a device's span was last handed over, one span per device — for a device first seen, or
    /// seen `presenceResolution` after its last handed-over end (all of them when `now` is nil).
    public func take(endedBy now: Timestamp?) -> (samples: [TrafficSample], presence: [PresenceSpan]) {
        let length = interval.nanoseconds
        return state.withLock { s in
            for tick in s.pending { fold(tick, length: length, into: &s) }
            s.pending.removeAll(keepingCapacity: true)
            var samples: [TrafficSample] = []
            for start in s.buckets.keys.sorted() {
                if let now, start + length > now.nanoseconds { continue }
                for (mac, sums) in s.buckets.removeValue(forKey: start) ?? [:] {
                    samples.append(
                        TrafficSample(
                            mac: mac, start: Timestamp(nanoseconds: start), seconds: max(1, length / 1_000_000_000),
                            transmittedBytes: sums.transmittedBytes, transmittedPackets: sums.transmittedPackets,
                            receivedBytes: sums.receivedBytes, receivedPackets: sums.receivedPackets))
                }
            }
            var presence: [PresenceSpan] = []
            for (mac, seen) in s.sightings {
                if now != nil, let reported = s.reported[mac], seen.last - reported < presenceResolution { continue }
                presence.append(PresenceSpan(mac: mac, start: seen.first, end: seen.last))
                s.reported[mac] = seen.last
                s.sightings[mac] = nil
            }
            // Forget devices long gone, so the map stays as small as the set of present devices.
            if let now, s.reported.count > s.sightings.count {
                s.reported = s.reported.filter { $0.value > now - .seconds(3_600) || s.sightings[$0.key] != nil }
            }
            return (samples, presence)
        }
    }

    private func fold(_ tick: TrafficTick, length: Int64, into s: inout State) {
        // The deltas cover (previous tick, tick.time]: the interval holding the instant before the tick.
        let at = tick.time.nanoseconds - 1
        let start = at - ((at % length) + length) % length
        let since = tick.time - tick.interval
        for delta in tick.deltas {
            let moved = delta.transmittedPackets != 0 || delta.receivedPackets != 0
            if moved {
                var sums = s.buckets[start, default: [:]][delta.mac, default: Sums()]
                sums.transmittedBytes &+= delta.transmittedBytes
                sums.transmittedPackets &+= delta.transmittedPackets
                sums.receivedBytes &+= delta.receivedBytes
                sums.receivedPackets &+= delta.receivedPackets
                s.buckets[start, default: [:]][delta.mac] = sums
            }
            // Seen in this tick's span: it sent or received, or the source saw it (its last-seen time moved).
            if moved || (tick.interval > .zero && delta.lastSeen > since) {
                Self.sight(delta.mac, at: min(max(delta.lastSeen, since), tick.time), in: &s)
            }
        }
    }

    private static func sight(_ mac: MACAddress, at time: Timestamp, in s: inout State) {
        if let current = s.sightings[mac] {
            s.sightings[mac] = (min(current.first, time), max(current.last, time))
        } else {
            s.sightings[mac] = (time, time)
        }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? Int64.min : Int64.max) : product &+ attoseconds / 1_000_000_000
    }
}
