import LanscopeCore

/// An inventory the tests fill by hand: devices by MAC and address holders.
final class FakeInventory: InventoryReader, @unchecked Sendable {
    var devices: [MACAddress: Device] = [:]
    var holders: [IPAddress: MACAddress] = [:]

    func device(_ mac: MACAddress) -> Device? { devices[mac] }
    func holder(of address: IPAddress) -> MACAddress? { holders[address] }

    /// Adds (or replaces) a device first seen at `firstSeen` and last seen at `lastSeen`.
    @discardableResult
    func add(_ mac: MACAddress, firstSeen: Timestamp, lastSeen: Timestamp? = nil) -> Device {
        let device = Device(mac: mac, firstSeen: firstSeen, lastSeen: lastSeen ?? firstSeen)
        devices[mac] = device
        return device
    }
}

/// Drives one stage the way the pipeline does, collecting its events.
struct Harness<Stage: PipelineStage> {
    var stage: Stage
    let inventory = FakeInventory()
    var learning = false
    private(set) var events: [AnomalyEvent] = []

    init(_ stage: Stage) { self.stage = stage }

    var context: StageContext { StageContext(inventory: inventory, learning: learning) }

    /// Feeds a frame; returns the events it raised.
    @discardableResult
    mutating func frame(_ frame: FrameSummary, at time: Timestamp) -> [AnomalyEvent] {
        var output = StageOutput()
        stage.frame(frame, at: time, context: context, output: &output)
        events += output.events
        return output.events
    }

    @discardableResult
    mutating func observe(_ observation: Observation) -> [AnomalyEvent] {
        var output = StageOutput()
        stage.observation(observation, context: context, output: &output)
        events += output.events
        return output.events
    }

    @discardableResult
    mutating func change(_ change: InventoryChange) -> [AnomalyEvent] {
        var output = StageOutput()
        stage.change(change, context: context, output: &output)
        events += output.events
        return output.events
    }

    @discardableResult
    mutating func tick(
        at time: Timestamp, interval: Duration = .seconds(10), _ deltas: [DeviceCounterDelta] = [],
        final: Bool = false
    ) -> [AnomalyEvent] {
        var output = StageOutput()
        stage.tick(
            TrafficTick(time: time, interval: interval, deltas: deltas, isFinal: final), context: context,
            output: &output)
        events += output.events
        return output.events
    }
}

enum Sample {
    static let start = Timestamp(seconds: 1_700_000_000)
    static func at(_ seconds: Double) -> Timestamp { start + .milliseconds(Int64(seconds * 1000)) }
    static func mac(_ last: UInt8, local: Bool = false) -> MACAddress {
        MACAddress(local ? 0x02 : 0x00, 0x11, 0x22, 0x33, 0x44, last)
    }
    static func ip(_ last: UInt8, subnet: UInt8 = 1) -> IPAddress { .v4(IPv4Address(192, 168, subnet, last)) }
    static func ipv4(_ last: UInt8) -> IPv4Address { IPv4Address(192, 168, 1, last) }

    /// A TCP segment from `source` to `destination`.
    static func tcp(
        from source: MACAddress, _ sourceIP: IPAddress, sourcePort: UInt16 = 40_000, to destination: MACAddress,
        _ destinationIP: IPAddress, port: UInt16, flags: UInt8
    ) -> FrameSummary {
        var frame = FrameSummary()
        frame.source = source
        frame.destination = destination
        frame.ipVersion = 4
        frame.sourceIP = sourceIP
        frame.destinationIP = destinationIP
        frame.transport = 6
        frame.sourcePort = sourcePort
        frame.destinationPort = port
        frame.tcpFlags = flags
        return frame
    }

    static let syn: UInt8 = 0x02, synAck: UInt8 = 0x12, rstAck: UInt8 = 0x14, ack: UInt8 = 0x10

    /// An ARP frame (RFC 826): a who-has broadcast by default.
    static func arp(
        from source: MACAddress, operation: UInt16 = 1, sender: IPv4Address?, target: IPv4Address?,
        to destination: MACAddress = .broadcast
    ) -> FrameSummary {
        var frame = FrameSummary()
        frame.source = source
        frame.destination = destination
        frame.etherType = 0x0806
        frame.arpOperation = operation
        frame.arpSenderIP = sender
        frame.arpTargetIP = target
        return frame
    }
}
