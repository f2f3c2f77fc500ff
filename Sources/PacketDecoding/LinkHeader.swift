import LanscopeCore

/// The link layer of one frame: addresses, up to two VLAN tags and the EtherType that follows them.
public struct LinkHeader: Sendable, Hashable {
    public var source: MACAddress = .zero
    /// Zero for Linux cooked captures, which record only the sending side's address.
    public var destination: MACAddress = .zero
    public var outerVLAN: UInt16 = 0
    public var innerVLAN: UInt16 = 0
    /// Number of 802.1Q/802.1ad tags crossed (more than two are walked but only two recorded).
    public var vlanTagCount: Int = 0
    /// EtherType after the tags; for 802.3 frames (length field < 0x0600) the length value itself,
    /// or the SNAP protocol ID when an LLC/SNAP header follows.
    public var etherType: UInt16 = 0
    /// The SNAP OUI when an LLC/SNAP header was crossed (0 for RFC 1042 encapsulation, 0x00000C
    /// for Cisco protocols such as CDP); nil for Ethernet II.
    public var snapOUI: UInt32?

    /// At most this many stacked tags are walked before the frame is rejected.
    static let maximumVLANTags = 4

    public init() {}

    /// Ethernet II with optional 802.1Q / 802.1ad (QinQ) tags.
    public init(ethernet reader: inout ByteReader) throws(DecodeError) {
        try reader.check(14)
        destination = reader.uncheckedMAC(at: 0)
        source = reader.uncheckedMAC(at: 6)
        etherType = reader.uncheckedUInt16(at: 12)
        reader.advanceUnchecked(14)
        // Tags and 802.3 lengths are the exception: IPv4, IPv6 and ARP frames go straight on.
        if etherType < 0x0600 || etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            try walkVLANTags(&reader)
        }
    }

    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16 bytes): packet type, ARPHRD type, address
    /// length, 8 address bytes, protocol.
    public init(linuxSLL reader: inout ByteReader) throws(DecodeError) {
        _ = try reader.readUInt16()
        let hardwareType = try reader.readUInt16()
        let addressLength = try reader.readUInt16()
        let address = try reader.readBuffer(8)
        etherType = try reader.readUInt16()
        source = Self.cookedSource(hardwareType: hardwareType, addressLength: Int(addressLength), address: address)
        try walkVLANTags(&reader)
    }

    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes): protocol, reserved, interface
    /// index, ARPHRD type, packet type, address length, 8 address bytes.
    public init(linuxSLL2 reader: inout ByteReader) throws(DecodeError) {
        etherType = try reader.readUInt16()
        try reader.skip(2 + 4)
        let hardwareType = try reader.readUInt16()
        _ = try reader.readUInt8()
        let addressLength = try reader.readUInt8()
        let address = try reader.readBuffer(8)
        source = Self.cookedSource(hardwareType: hardwareType, addressLength: Int(addressLength), address: address)
        try walkVLANTags(&reader)
    }

    /// Only ARPHRD_ETHER (1) addresses of six bytes are MACs; loopback, tunnels and the like are not.
    private static func cookedSource(
        hardwareType: UInt16, addressLength: Int, address: UnsafeRawBufferPointer
    )
        -> MACAddress
    {
        guard hardwareType == 1, addressLength == 6 else { return .zero }
        var reader = ByteReader(address)
        return (try? reader.readMAC()) ?? .zero
    }

    /// An IEEE 802.3 frame carries a length where Ethernet II has its EtherType; with an LLC/SNAP
    /// header (DSAP/SSAP 0xAA, control 0x03) the OUI and protocol ID follow — OUI 00-00-00 means the
    /// protocol ID is an EtherType (RFC 1042). Other 802.3 frames (STP, NetBEUI...) keep the length.
    private mutating func unwrapSNAP(_ reader: inout ByteReader) throws(DecodeError) {
        guard etherType < 0x0600, reader.remaining >= 8, reader.peekUInt8() == 0xAA, reader.peekUInt8(ahead: 1) == 0xAA,
            reader.peekUInt8(ahead: 2) == 0x03
        else { return }
        try reader.skip(3)
        let oui = UInt32(try reader.readUInt16()) << 8 | UInt32(try reader.readUInt8())
        snapOUI = oui
        etherType = try reader.readUInt16()
    }

    private mutating func walkVLANTags(_ reader: inout ByteReader) throws(DecodeError) {
        // 0x8100 C-tag (802.1Q), 0x88A8 S-tag (802.1ad), 0x9100 the pre-standard QinQ outer tag.
        while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            guard vlanTagCount < Self.maximumVLANTags else {
                throw .invalidValue(field: "VLAN tag count", value: vlanTagCount + 1)
            }
            let tci = try reader.readUInt16()
            let vlan = tci & 0x0FFF
            if vlanTagCount == 0 { outerVLAN = vlan } else if vlanTagCount == 1 { innerVLAN = vlan }
            vlanTagCount += 1
            etherType = try reader.readUInt16()
        }
        try unwrapSNAP(&reader)
    }
}
