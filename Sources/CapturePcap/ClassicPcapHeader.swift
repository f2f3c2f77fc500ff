import LanscopeCore

/// The 24-byte file header of a classic pcap file (pcap-savefile(5)), when it is one that
/// `ClassicPcapRecords` reads itself: one of the four standard magics (microsecond 0xa1b2c3d4 or
/// nanosecond 0xa1b23c4d, in either byte order), version 2.4, and a link type lanscope decodes.
/// Anything else — pcapng, the modified magics, older versions, other link types — is left to
/// libpcap, so its errors and quirks stay exactly what they were.
///
/// The rules below are libpcap 1.10's, found by experiment on hand-made files (its results are
/// what `ClassicPcapReaderDifferentialTests` compare against):
/// - the link type is the field's low 26 bits; bits 26–31 carry the FCS length and change
///   nothing delivered, and a value in bits 16–25 makes another (unsupported) link type;
/// - a snaplen of 0, or one that does not fit a signed 32-bit integer, means 262144;
/// - the time zone offset and timestamp accuracy fields are ignored.
struct ClassicPcapHeader: Equatable, Sendable {
    /// Bytes in the file header.
    static let size = 24
    /// Largest captured length libpcap accepts in a record of these link types (its maximum
    /// snapshot length, 262144), whatever the file's snaplen says.
    static let maximumCapturedLength = 262_144

    /// The file was written in the other byte order: every header field must be swapped.
    let byteSwapped: Bool
    /// Timestamps' second field counts nanoseconds (0xa1b23c4d) rather than microseconds.
    let nanosecond: Bool
    /// Bytes of a record delivered at most (the file's snaplen, or 262144 when it gives none); a
    /// longer record is read whole and delivered cut to this length.
    let snapshotLength: Int
    let linkType: LinkType

    /// Parses `bytes` (at least `size` of them); nil when libpcap should read the file instead.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size else { return nil }
        switch bytes.loadUnaligned(as: UInt32.self) {
        case 0xA1B2_C3D4: (byteSwapped, nanosecond) = (false, false)
        case 0xA1B2_3C4D: (byteSwapped, nanosecond) = (false, true)
        case 0xD4C3_B2A1: (byteSwapped, nanosecond) = (true, false)
        case 0x4D3C_B2A1: (byteSwapped, nanosecond) = (true, true)
        default: return nil
        }
        let swapped = byteSwapped
        func field16(_ offset: Int) -> UInt16 {
            let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            return swapped ? value.byteSwapped : value
        }
        func field32(_ offset: Int) -> UInt32 {
            let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return swapped ? value.byteSwapped : value
        }
        // Versions before 2.4 may have caplen and len swapped in their records; libpcap repairs them.
        guard field16(4) == 2, field16(6) == 4 else { return nil }
        let snaplen = Int32(bitPattern: field32(16))
        snapshotLength = snaplen <= 0 ? Self.maximumCapturedLength : Int(snaplen)
        guard let linkType = LinkType(rawValue: Int32(field32(20) & 0x03FF_FFFF)) else { return nil }
        self.linkType = linkType
    }
}
