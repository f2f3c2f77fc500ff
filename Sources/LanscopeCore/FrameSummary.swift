/// The link/network/transport summary of one frame, produced for *every* frame without allocating:
/// what per-device traffic counting needs. Zero values mean "absent".
public struct FrameSummary: Sendable, Hashable {
    public var source: MACAddress = .zero
    public var destination: MACAddress = .zero
    /// Outer and inner 802.1Q VLAN IDs (0 when untagged).
    public var outerVLAN: UInt16 = 0
    public var innerVLAN: UInt16 = 0
    /// EtherType after any VLAN tags.
    public var etherType: UInt16 = 0
    /// 0 (not IP), 4 or 6.
    public var ipVersion: UInt8 = 0
    public var sourceIP: IPAddress? = nil
    public var destinationIP: IPAddress? = nil
    /// IP protocol number of the transport header actually reached (6 TCP, 17 UDP, 1/58 ICMP), or 0.
    public var transport: UInt8 = 0
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    /// TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10...).
    public var tcpFlags: UInt8 = 0
    /// Length of the frame on the wire (pcap `len`, not the captured length).
    public var wireLength: Int = 0
    /// ARP (RFC 826) operation (1 request, 2 reply) and its sender/target protocol addresses; 0/nil
    /// when the frame is not IPv4-over-Ethernet ARP. What the sweep and spoofing detectors read.
    public var arpOperation: UInt16 = 0
    public var arpSenderIP: IPv4Address? = nil
    public var arpTargetIP: IPv4Address? = nil

    public init() {}
}

/// Traffic seen for one device, split the way the BPF map splits it.
public struct TrafficCounters: Sendable, Hashable {
    /// Frames the device sent (its MAC as source).
    public var transmittedPackets: UInt64 = 0
    public var transmittedBytes: UInt64 = 0
    /// Frames addressed to the device (its MAC as destination).
    public var receivedPackets: UInt64 = 0
    public var receivedBytes: UInt64 = 0
    /// Per direction × IP version × L4 protocol breakdown (see `TrafficClass`).
    public var byClass: [TrafficClass: PacketByteCount] = [:]

    public init() {}

    public mutating func add(_ other: TrafficCounters) {
        transmittedPackets &+= other.transmittedPackets
        transmittedBytes &+= other.transmittedBytes
        receivedPackets &+= other.receivedPackets
        receivedBytes &+= other.receivedBytes
        for (key, value) in other.byClass { byClass[key, default: .init()].add(value) }
    }
}

public struct PacketByteCount: Sendable, Hashable {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) { self.packets = packets; self.bytes = bytes }
    public mutating func add(_ o: PacketByteCount) { packets &+= o.packets; bytes &+= o.bytes }
}

public enum TrafficDirection: String, Sendable, Hashable, CaseIterable { case transmitted, received }
public enum IPFamily: String, Sendable, Hashable, CaseIterable { case ipv4, ipv6, other }
public enum L4Protocol: String, Sendable, Hashable, CaseIterable { case tcp, udp, icmp, other }

/// One cell of the per-device traffic breakdown: the labels of
/// `lanscope_device_{transmitted,received}_..._total{mac,ip_version,protocol}`.
public struct TrafficClass: Sendable, Hashable, Comparable {
    public var direction: TrafficDirection
    public var family: IPFamily
    public var l4: L4Protocol
    public init(direction: TrafficDirection, family: IPFamily, l4: L4Protocol) {
        self.direction = direction; self.family = family; self.l4 = l4
    }
    /// Ordered by direction, IP family, then L4 protocol, each by its raw value (the label text).
    public static func < (a: TrafficClass, b: TrafficClass) -> Bool { a.ordinal < b.ordinal }

    /// Hashes the cell's position: the conformance a raw-value enum gets would hash the three label
    /// strings, and per-device `byClass` dictionaries are rebuilt on every scrape.
    public func hash(into hasher: inout Hasher) { hasher.combine(UInt8(truncatingIfNeeded: ordinal)) }

    /// All 24 cells, indexed by `ordinal`.
    public static let allByOrdinal: [TrafficClass] = {
        var cells: [TrafficClass] = []
        for direction in TrafficDirection.allCases {
            for family in IPFamily.allCases {
                for l4 in L4Protocol.allCases {
                    cells.append(TrafficClass(direction: direction, family: family, l4: l4))
                }
            }
        }
        return cells.sorted { $0.ordinal < $1.ordinal }
    }()

    /// 0..<24, in the order of the raw values compared as (direction, family, l4) tuples: the
    /// order of the label values, so cells visited by ordinal give sorted series.
    public var ordinal: Int {
        let d = direction == .received ? 0 : 1
        let f: Int
        switch family {
        case .ipv4: f = 0
        case .ipv6: f = 1
        case .other: f = 2
        }
        let p: Int
        switch l4 {
        case .icmp: p = 0
        case .other: p = 1
        case .tcp: p = 2
        case .udp: p = 3
        }
        return d * 12 + f * 4 + p
    }
}

public extension FrameSummary {
    var family: IPFamily { ipVersion == 4 ? .ipv4 : ipVersion == 6 ? .ipv6 : .other }
    var l4: L4Protocol {
        switch transport {
        case 6: return .tcp
        case 17: return .udp
        case 1, 58: return .icmp
        default: return .other
        }
    }
}
