public import LanscopeCore

/// Observations waiting for the history store, kept as each distinct (device, fact) with the
/// distinct times it was seen: a fact a device repeats (the same DNS name, the same ARP reply) costs
/// one timestamp, not a whole `Observation`, so a replay holds many more observations between
/// flushes in the same memory and writes each evidence row once per flush.
public struct PendingEvidence: Sendable {
    private struct Key: Hashable, Sendable {
        var mac: MACAddress
        var fact: Fact
    }

    /// Each fact's distinct times, ascending.
    private var times: [Key: [Timestamp]] = [:]
    /// Distinct observations held: (device, fact, time) triples.
    public private(set) var observationCount = 0
    /// The devices with a held fact (kept as facts arrive: reading it off the table's keys would copy
    /// every fact).
    public private(set) var devices: Set<MACAddress> = []

    public init() {}

    /// Distinct (device, fact) pairs held.
    public var factCount: Int { times.count }

    public var isEmpty: Bool { times.isEmpty }

    /// Room for `facts` distinct facts, so the table does not rehash as it grows.
    mutating func reserveCapacity(_ facts: Int) { times.reserveCapacity(facts) }

    var capacity: Int { times.capacity }

    /// Adds `observation` unless it is held already. Returns false when it was new and left out
    /// because `maxFacts` facts or `maxObservations` observations are held.
    mutating func insert(_ observation: Observation, maxFacts: Int, maxObservations: Int) -> Bool {
        let key = Key(mac: observation.mac, fact: observation.fact)
        let time = observation.time
        if let index = times.index(forKey: key) {
            let room = observationCount < maxObservations
            // One in-place access to the held times (no copy of the array).
            switch Self.add(time, to: &times.values[index], room: room) {
            case .added: observationCount += 1
            case .held: break
            case .full: return false
            }
            return true
        }
        guard times.count < maxFacts, observationCount < maxObservations else { return false }
        times[key] = [time]
        devices.insert(observation.mac)
        observationCount += 1
        return true
    }

    private enum Addition { case added, held, full }

    /// `held` stays ascending. Frames mostly arrive in time order, so a new time is usually the
    /// latest and is appended; an earlier one is found or placed by binary search.
    private static func add(_ time: Timestamp, to held: inout [Timestamp], room: Bool) -> Addition {
        guard let latest = held.last, time <= latest else {
            guard room else { return .full }
            held.append(time)
            return .added
        }
        var low = 0
        var high = held.count
        while low < high {
            let middle = (low + high) / 2
            if held[middle] < time { low = middle + 1 } else { high = middle }
        }
        if held[low] == time { return .held }
        guard room else { return .full }
        held.insert(time, at: low)
        return .added
    }

    /// Every held observation, grouped by device and fact.
    public var observations: [Observation] {
        var out: [Observation] = []
        out.reserveCapacity(observationCount)
        for (key, held) in times {
            for time in held { out.append(Observation(mac: key.mac, time: time, fact: key.fact)) }
        }
        return out
    }

    /// Visits each held (device, fact) once with its distinct times, ascending: the grouped form
    /// of `observations`, without building one `Observation` per time.
    public func forEachFact(_ body: (_ mac: MACAddress, _ fact: Fact, _ times: [Timestamp]) -> Void) {
        for (key, held) in times { body(key.mac, key.fact, held) }
    }
}
