/// PacketDecoding: pure decoders that turn captured bytes into a `FrameSummary` and attributed
/// `Observation`s — Ethernet/802.1Q/QinQ, Linux cooked headers, ARP, IPv4, IPv6 (bounded
/// extension-header walk), UDP, TCP, ICMPv6/NDP, DHCPv4, DNS/mDNS and SSDP.
///
/// Every decoder reads through `ByteReader`, the one bounds-checked cursor, and reports malformed
/// input as a `DecodeError`; nothing here may trap on bytes from the wire. Imports LanscopeCore only.
public enum PacketDecodingModule {}
