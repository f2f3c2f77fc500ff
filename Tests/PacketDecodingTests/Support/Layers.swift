import LanscopeCore
import PacketDecoding

/// A frame taken apart layer by layer with the public header decoders, so tests can compare each
/// layer with tshark. Copies the transport payload.
struct Layers {
    var link: LinkHeader?
    var ipv4: IPv4Header?
    var ipv6: IPv6Header?
    var udp: UDPHeader?
    var tcp: TCPHeader?
    var arpPayload: [UInt8]?
    var icmpv6Payload: [UInt8]?
    var payload: [UInt8] = []

    init(_ frame: [UInt8], linkType: LinkType) {
        frame.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            do throws(DecodeError) {
                let link: LinkHeader
                switch linkType {
                case .ethernet: link = try LinkHeader(ethernet: &reader)
                case .linuxSLL: link = try LinkHeader(linuxSLL: &reader)
                case .linuxSLL2: link = try LinkHeader(linuxSLL2: &reader)
                }
                self.link = link
                var protocolNumber: UInt8 = 0
                switch link.etherType {
                case 0x0806:
                    arpPayload = Array(reader.readRemaining())
                    return
                case 0x0800:
                    let header = try IPv4Header(from: &reader)
                    ipv4 = header
                    guard header.isFirstFragment else { return }
                    protocolNumber = header.protocolNumber
                case 0x86DD:
                    let header = try IPv6Header(from: &reader)
                    ipv6 = header
                    guard !header.isNonFirstFragment else { return }
                    protocolNumber = header.upperLayerProtocol
                default:
                    return
                }
                switch protocolNumber {
                case 6: tcp = try TCPHeader(from: &reader)
                case 17: udp = try UDPHeader(from: &reader)
                case 58: icmpv6Payload = Array(reader.readRemaining())
                default: break
                }
                payload = Array(reader.readRemaining())
            } catch {
                return
            }
        }
    }
}
