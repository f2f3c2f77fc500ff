import LanscopeCore

/// Turns one captured frame into a `FrameSummary` and the observations its discovery payload
/// carries. Non-discovery frames only fill the summary, without allocating.
public struct FrameDecoder: Sendable {
    public let linkType: LinkType

    /// Facts kept per frame. A legitimate announcement carries a few dozen at most; the cap keeps a
    /// crafted jumbo frame (hundreds of questions or records) from costing quadratic de-duplication.
    public static let maximumObservationsPerFrame = 64

    public init(linkType: LinkType) {
        self.linkType = linkType
    }

    public func decode(
        _ frame: UnsafeRawBufferPointer, wireLength: Int, time: Timestamp,
        into result: inout DecodeResult
    ) {
        result.reset()
        result.summary.wireLength = wireLength
        var reader = ByteReader(frame)
        let link: LinkHeader
        do throws(DecodeError) {
            switch linkType {
            case .ethernet: link = try LinkHeader(ethernet: &reader)
            case .linuxSLL: link = try LinkHeader(linuxSLL: &reader)
            case .linuxSLL2: link = try LinkHeader(linuxSLL2: &reader)
            }
        } catch {
            result.error = DecodeFailure(layer: .ethernet, error: error)
            return
        }
        result.summary.source = link.source
        result.summary.destination = link.destination
        result.summary.outerVLAN = link.outerVLAN
        result.summary.innerVLAN = link.innerVLAN
        result.summary.etherType = link.etherType

        var context = Context(time: time, sender: link.source, captured: frame.count, wireLength: wireLength)
        switch link.etherType {
        case 0x0800: decodeIPv4(&reader, &result, &context)
        case 0x86DD: decodeIPv6(&reader, &result, &context)
        case 0x0806: decodeARP(&reader, &result, &context)
        case 0x88CC: decodeLLDP(reader.readRemaining(), &result, &context)
        case 0x2000 where link.snapOUI == 0x00000C: decodeCDP(reader.readRemaining(), &result, &context)
        default: break
        }
    }

    /// Convenience for tests and tools: decodes a byte array into a fresh result.
    public func decode(_ frame: [UInt8], wireLength: Int? = nil, time: Timestamp = .zero) -> DecodeResult {
        var result = DecodeResult()
        frame.withUnsafeBytes { decode($0, wireLength: wireLength ?? frame.count, time: time, into: &result) }
        return result
    }

    /// Per-frame state the discovery decoders share.
    struct Context {
        var time: Timestamp
        /// The link-layer sender (Ethernet source, or the cooked header's address).
        var sender: MACAddress
        /// Bytes captured and on the wire: fewer captured (snap length) means a list read to the
        /// end of the captured bytes may look complete and still miss entries.
        var captured = 0
        var wireLength = 0
        var isCut: Bool { captured < wireLength }
        /// The error a decoder reports when it will not draw a fact from a cut frame.
        var cutError: DecodeError { .truncated(offset: captured, needed: wireLength - captured, available: 0) }
        /// IPv4 TTL or IPv6 hop limit, and IPv4 don't-fragment, of the packet being decoded.
        var hopLimit: UInt8 = 0
        var dontFragment = false
    }

    /// What `parse` reads, or nil with the frame's error set to why its `layer` could not be read: every
    /// decoder opens this way, and a message that fails to parse teaches nothing.
    @inline(__always)
    func parsed<Message>(
        _ layer: DiscoveryProtocol, _ result: inout DecodeResult, _ parse: () throws(DecodeError) -> Message
    ) -> Message? {
        do throws(DecodeError) {
            return try parse()
        } catch {
            result.error = DecodeFailure(layer: layer, error: error)
            return nil
        }
    }

    private func decodeIPv4(_ reader: inout ByteReader, _ result: inout DecodeResult, _ context: inout Context) {
        guard let header = parsed(.ipv4, &result, { () throws(DecodeError) in try IPv4Header(from: &reader) }) else {
            return
        }
        result.summary.ipVersion = 4
        result.summary.sourceIP = .v4(header.source)
        result.summary.destinationIP = .v4(header.destination)
        context.hopLimit = header.ttl
        context.dontFragment = header.dontFragment
        // Only the first fragment carries the transport header (RFC 791).
        guard header.isFirstFragment else { return }
        decodeTransport(header.protocolNumber, &reader, &result, &context, source: .v4(header.source))
    }

    private func decodeIPv6(_ reader: inout ByteReader, _ result: inout DecodeResult, _ context: inout Context) {
        let header: IPv6Header
        let fixedHeader = reader
        do throws(DecodeError) {
            header = try IPv6Header(from: &reader)
        } catch {
            result.error = DecodeFailure(layer: .ipv6, error: error)
            // A bad extension chain still leaves a readable fixed header: keep its addresses so the
            // frame is counted against the right family.
            var fixed = fixedHeader
            if fixed.remaining >= 40, fixed.peekUInt8().map({ $0 >> 4 == 6 }) == true,
                (try? fixed.skip(8)) != nil, let source = try? fixed.readIPv6(), let destination = try? fixed.readIPv6()
            {
                result.summary.ipVersion = 6
                result.summary.sourceIP = .v6(source)
                result.summary.destinationIP = .v6(destination)
            }
            return
        }
        result.summary.ipVersion = 6
        result.summary.sourceIP = .v6(header.source)
        result.summary.destinationIP = .v6(header.destination)
        context.hopLimit = header.hopLimit
        guard !header.isNonFirstFragment else { return }
        decodeTransport(header.upperLayerProtocol, &reader, &result, &context, source: .v6(header.source))
    }

    private func decodeTransport(
        _ protocolNumber: UInt8, _ reader: inout ByteReader, _ result: inout DecodeResult,
        _ context: inout Context, source: IPAddress
    ) {
        switch protocolNumber {
        case 6:
            let headerStart = reader
            guard let tcp = parsed(.tcp, &result, { () throws(DecodeError) in try TCPHeader(from: &reader) }) else {
                return
            }
            result.summary.transport = 6
            result.summary.sourcePort = tcp.sourcePort
            result.summary.destinationPort = tcp.destinationPort
            result.summary.tcpFlags = tcp.flags
            if tcp.flags & 0x12 == 0x02 {
                decodeSYN(tcp, headerStart, &result, &context, source: source)
            } else if tcp.flags & 0x12 == 0x12 {
                decodeSYNACK(tcp, &result, &context)
            } else if let first = reader.peekUInt8(), first == 22 || first == 20 || (0x41...0x5A).contains(first) {
                // Only a payload that starts like a ClientHello or a request method is looked at.
                decodeTCPPayload(reader.readRemaining(), &result, &context)
            }
        case 17:
            guard let udp = parsed(.udp, &result, { () throws(DecodeError) in try UDPHeader(from: &reader) }) else {
                return
            }
            result.summary.transport = 17
            result.summary.sourcePort = udp.sourcePort
            result.summary.destinationPort = udp.destinationPort
            decodeUDPPayload(udp, &reader, &result, &context, source: source)
        case 1:
            result.summary.transport = 1
        case 58:
            result.summary.transport = 58
            decodeICMPv6(&reader, &result, &context, source: source)
        default:
            break
        }
    }

    private func decodeUDPPayload(
        _ udp: UDPHeader, _ reader: inout ByteReader, _ result: inout DecodeResult,
        _ context: inout Context, source: IPAddress
    ) {
        let low = min(udp.sourcePort, udp.destinationPort)
        let high = max(udp.sourcePort, udp.destinationPort)
        let discovery: DiscoveryProtocol
        if (low == 67 || low == 68) && (high == 67 || high == 68), case .v4 = source {
            discovery = .dhcp
        } else if udp.sourcePort == 5353 || udp.destinationPort == 5353 {
            discovery = .mdns
        } else if udp.sourcePort == 1900 || udp.destinationPort == 1900 {
            discovery = .ssdp
        } else if udp.sourcePort == 137 && udp.destinationPort == 137, case .v4 = source {
            discovery = .nbns
        } else if (low == 546 || low == 547) && (high == 546 || high == 547), case .v6 = source {
            discovery = .dhcpv6
        } else if udp.sourcePort == 3702 || udp.destinationPort == 3702 {
            discovery = .wsd
        } else if udp.destinationPort == 53 {
            // Unicast DNS queries; LLMNR (5355) and mDNS have ports of their own.
            discovery = .dns
        } else if udp.sourcePort == 10001 || udp.destinationPort == 10001,
            UbiquitiDiscoveryMessage.startsLikeOne(
                reader.peekRemaining(upTo: 4), payloadLength: reader.remaining + udp.missingPayload)
        {
            // After DNS: 10001 is inside some systems' ephemeral port range (FreeBSD's starts at 10000), and
            // a query sent from it is still a query. Announcements go to 10001, answers come from it. Other
            // traffic on the port (it is not Ubiquiti's) is not discovery, and not an error either.
            discovery = .ubnt
        } else {
            return
        }
        // A message cut by the snap length would yield a shorter option list or header value that
        // looks complete — a wrong fingerprint. Count it as an error instead of guessing.
        guard udp.missingPayload == 0 else {
            result.discovery = discovery
            result.error = DecodeFailure(
                layer: discovery,
                error: .truncated(
                    offset: reader.offset, needed: reader.remaining + udp.missingPayload, available: reader.remaining))
            return
        }
        let payload = reader.readRemaining()
        switch discovery {
        case .dhcp: decodeDHCPv4(payload, &result, &context)
        case .mdns: decodeMDNS(payload, &result, &context)
        case .nbns: decodeNBNS(payload, &result, &context)
        case .dhcpv6: decodeDHCPv6(payload, &result, &context)
        case .dns: decodeDNSQuery(payload, &result, &context)
        case .wsd: decodeWSDiscovery(payload, &result, &context)
        case .ubnt: decodeUbiquitiDiscovery(payload, &result, &context)
        default: decodeSSDP(payload, &result, &context)
        }
    }
}
