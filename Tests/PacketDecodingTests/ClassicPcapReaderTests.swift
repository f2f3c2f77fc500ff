@_spi(Testing) import CapturePcap
import Foundation
import LanscopeCore
import Testing

/// `PcapFileReader`'s own classic-pcap reader (`ClassicPcapRecords`) against libpcap on files built
/// by hand: every case is read both ways (ours at several chunk sizes, so records cross chunk ends)
/// and must agree packet for packet and in how it ends; each also states what libpcap does, so the
/// two cannot agree on something wrong unnoticed.
@Suite struct ClassicPcapReaderTests {
    /// Chunk sizes ours is read with: the default (1 MiB), the smallest allowed (a record header),
    /// and sizes that cut records and headers at odd places.
    static let chunkSizes: [Int?] = [nil, 16, 23, 64, 4096]

    /// Reads `file` through libpcap and through ours at every chunk size; records an issue where
    /// they differ or where ours did not (or did) take the file; returns ours at the default size.
    @discardableResult
    func check(
        _ file: [UInt8], classic: Bool = true, chunkSizes: [Int?] = chunkSizes, name: String = #function,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> PcapReading {
        let capture = try TemporaryCapture(file, name: name)
        let libpcap = PcapReading(path: capture.path, libpcapOnly: true)
        var first: PcapReading?
        for chunkSize in chunkSizes {
            let ours = PcapReading(path: capture.path, libpcapOnly: false, chunkSize: chunkSize)
            #expect(
                ours.classic == classic, "read by \(ours.classic ? "ours" : "libpcap")", sourceLocation: sourceLocation)
            #expect(
                ours == libpcap, "chunk \(chunkSize ?? 0): ours \(ours), libpcap \(libpcap)",
                sourceLocation: sourceLocation)
            first = first ?? ours
        }
        return try #require(first)
    }

    static let frame = ClassicPcapBuilder.payload(60)

    // MARK: byte orders and precisions

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func classicFile_matchesLibpcap_inEitherByteOrderAndPrecision(bigEndian: Bool, nanosecond: Bool) throws {
        var file = ClassicPcapBuilder(bigEndian: bigEndian, nanosecond: nanosecond)
        file.record(seconds: 1_700_000_000, fraction: 250_000, data: Self.frame)
        file.record(seconds: 1_700_000_001, fraction: 999_999, data: Array(Self.frame.prefix(20)), wire: 1514)
        file.record(seconds: 1_700_000_002, fraction: 0, data: ClassicPcapBuilder.payload(1514, seed: 3))
        let reading = try check(file.file)
        let scale: Int64 = nanosecond ? 1 : 1000
        #expect(reading.linkType == .ethernet)
        #expect(reading.end == .endOfFile)
        #expect(reading.packets.map(\.wireLength) == [60, 1514, 1514])
        #expect(reading.packets.map(\.bytes.count) == [60, 20, 1514])
        #expect(reading.packets.first?.bytes == Self.frame)
        #expect(
            reading.packets.map(\.time) == [
                Timestamp(seconds: 1_700_000_000, nanoseconds: 250_000 * scale),
                Timestamp(seconds: 1_700_000_001, nanoseconds: 999_999 * scale),
                Timestamp(seconds: 1_700_000_002),
            ])
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func timestamps_matchLibpcap_forOutOfRangeFields(bigEndian: Bool, nanosecond: Bool) throws {
        // libpcap never normalises the fraction, and reads both fields as signed 32-bit in a file of
        // the host's byte order but as unsigned in a byte-swapped one (a big-endian file here).
        var file = ClassicPcapBuilder(bigEndian: bigEndian, nanosecond: nanosecond)
        let fields: [(UInt32, UInt32)] = [
            (0xFFFF_FFFF, 0xFFFF_FFFF), (0x8000_0000, 1_000_000), (1, 0x7FFF_FFFF), (1, 0x8000_0000),
            (0x7FFF_FFFF, 1_999_999_999), (0xA1B2_C3D4, 0x0002_0004),
        ]
        for (seconds, fraction) in fields { file.record(seconds: seconds, fraction: fraction, data: Self.frame) }
        let reading = try check(file.file)
        let scale: Int64 = nanosecond ? 1 : 1000
        func value(_ field: UInt32) -> Int64 { bigEndian ? Int64(field) : Int64(Int32(bitPattern: field)) }
        #expect(
            reading.packets.map(\.time)
                == fields.map { Timestamp(seconds: value($0.0), nanoseconds: value($0.1) * scale) })
        let first =
            bigEndian
            ? Timestamp(seconds: 0xFFFF_FFFF, nanoseconds: 0xFFFF_FFFF * scale)
            : Timestamp(seconds: -1, nanoseconds: -scale)
        #expect(reading.packets.first?.time == first)
    }

    @Test func timeZoneAndAccuracyFields_areIgnored_likeLibpcap() throws {
        var file = ClassicPcapBuilder()
        file.timeZone = UInt32(bitPattern: -3600)
        file.accuracy = 5
        file.record(seconds: 7, fraction: 8, data: Self.frame)
        let reading = try check(file.file)
        #expect(reading.packets.map(\.time) == [Timestamp(seconds: 7, nanoseconds: 8000)])
    }

    // MARK: where a file ends

    @Test func emptyFileAfterHeader_endsWithNoPackets() throws {
        let reading = try check(ClassicPcapBuilder().file)
        #expect(reading.linkType == .ethernet)
        #expect(reading.packets.isEmpty)
        #expect(reading.end == .endOfFile)
    }

    @Test func fileHeaderCut_isNotACaptureFile_forEveryLength() throws {
        // A header we cannot read whole is left to libpcap, which names the file as not a capture.
        let header = ClassicPcapBuilder().header
        for length in [0, 3, 4, 10, 23] {
            let reading = try check(Array(header.prefix(length)), classic: false, chunkSizes: [nil])
            #expect(reading.end == .openFailed("notACaptureFile"), "header cut to \(length) bytes")
        }
    }

    @Test func recordHeaderCut_truncatesAfterDeliveredPackets_forEveryLength() throws {
        var file = ClassicPcapBuilder()
        file.record(data: Self.frame)
        file.record(data: Self.frame)
        let whole = file.file
        for cut in 1..<16 {
            let reading = try check(Array(whole.dropLast(60 + cut)))
            #expect(reading.end == .truncated(packetsRead: 1), "record header cut to \(16 - cut) bytes")
            #expect(reading.packets.count == 1)
            #expect(reading.reason.contains("record header"), "\(reading.reason)")
        }
    }

    @Test func recordBodyCut_truncatesAfterDeliveredPackets() throws {
        var file = ClassicPcapBuilder()
        file.record(data: Self.frame)
        file.record(data: Self.frame)
        file.record(data: Self.frame)
        let whole = file.file
        for cut in [1, 10, 59, 60] {
            let reading = try check(Array(whole.dropLast(cut)))
            #expect(reading.end == .truncated(packetsRead: 2), "last record cut by \(cut) bytes")
            #expect(reading.packets.count == 2)
        }
    }

    @Test func zeroCapturedLength_deliversEmptyPacket() throws {
        var file = ClassicPcapBuilder()
        file.record(data: [], wire: 60)
        file.record(data: Self.frame)
        let reading = try check(file.file)
        #expect(reading.packets.map(\.bytes.count) == [0, 60])
        #expect(reading.packets.map(\.wireLength) == [60, 60])
    }

    // MARK: lengths

    @Test func capturedLongerThanWire_isDeliveredAsItIs() throws {
        var file = ClassicPcapBuilder()
        file.record(data: Self.frame, wire: 30)
        let reading = try check(file.file)
        #expect(reading.packets.map(\.bytes.count) == [60])
        #expect(reading.packets.map(\.wireLength) == [30])
    }

    @Test func capturedLongerThanSnaplen_isReadWholeAndDeliveredCut() throws {
        var file = ClassicPcapBuilder()
        file.snaplen = 40
        file.record(data: Self.frame, wire: 100)
        file.record(data: Self.frame)
        let reading = try check(file.file)
        #expect(reading.packets.map(\.bytes) == [Array(Self.frame.prefix(40)), Array(Self.frame.prefix(40))])
        #expect(reading.packets.map(\.wireLength) == [100, 60])
        #expect(reading.end == .endOfFile)
        // The part past the snaplen must be there too: cut inside it, the record is not delivered.
        let cut = try check(Array(file.file.dropLast(10)))
        #expect(cut.end == .truncated(packetsRead: 1))
    }

    @Test func capturedLength_atLimit_isRead_andOverIt_isAnError() throws {
        // 262144 is libpcap's maximum for these link types, whatever the snaplen (N and N + 1).
        for (snaplen, captured, accepted) in [
            (0, 262_144, true), (0, 262_145, false), (400_000, 262_144, true), (400_000, 262_145, false),
            (400_000, 300_000, false), (65535, 0xFFFF_FFFF, false),
        ] as [(UInt32, UInt32, Bool)] {
            var file = ClassicPcapBuilder()
            file.snaplen = snaplen
            file.record(data: Self.frame)
            file.record(data: ClassicPcapBuilder.payload(Int(min(captured, 300_000)), seed: 1), captured: captured)
            file.record(data: Self.frame)
            let reading = try check(file.file, chunkSizes: [nil, 4096])
            let label = "snaplen \(snaplen), captured \(captured)"
            if accepted {
                #expect(reading.end == .endOfFile, "\(label)")
                #expect(reading.packets.map(\.bytes.count) == [60, Int(captured), 60], "\(label)")
            } else {
                #expect(reading.end == .truncated(packetsRead: 1), "\(label)")
            }
        }
    }

    @Test(arguments: [false, true])
    func snaplenZeroOrNegative_meansTheMaximum(bigEndian: Bool) throws {
        // libpcap takes a snaplen of 0, or one that is negative as a signed 32-bit value, as 262144;
        // any other snaplen cuts the records longer than it.
        for (snaplen, delivered) in [(0, 200_000), (0x8000_0000, 200_000), (0xFFFF_FFFF, 200_000), (100_000, 100_000)]
            as [(UInt32, Int)]
        {
            var file = ClassicPcapBuilder(bigEndian: bigEndian)
            file.snaplen = snaplen
            file.record(data: ClassicPcapBuilder.payload(200_000, seed: 2))
            let reading = try check(file.file, chunkSizes: [nil, 4096])
            #expect(reading.packets.map(\.bytes.count) == [delivered], "snaplen \(snaplen)")
        }
    }

    // MARK: chunks

    @Test func recordBiggerThanChunk_growsTheBuffer() throws {
        var file = ClassicPcapBuilder()
        file.record(data: Self.frame)
        file.record(data: ClassicPcapBuilder.payload(10_000, seed: 4))
        file.record(data: Self.frame)
        file.record(data: ClassicPcapBuilder.payload(9_000, seed: 5))
        let reading = try check(file.file, chunkSizes: [4096, 5000, 9999, 10_015, 10_016])
        #expect(reading.packets.map(\.bytes.count) == [60, 10_000, 60, 9_000])
        #expect(reading.packets[1].bytes == ClassicPcapBuilder.payload(10_000, seed: 4))
    }

    @Test func fileSizeExactMultipleOfChunk_endsCleanly() throws {
        // 24 + 4 × (16 + 1012) = 4136 bytes: chunks of 4136, 1034 and 517 end exactly at the file's
        // end (the last read returns 0), 1028 exactly at each record's end.
        var file = ClassicPcapBuilder()
        for seed in 0..<4 { file.record(data: ClassicPcapBuilder.payload(1012, seed: seed)) }
        #expect(file.file.count == 4136)
        let reading = try check(file.file, chunkSizes: [4136, 2068, 1034, 517, 1028, 4112, 4137])
        #expect(reading.packets.count == 4)
        #expect(reading.end == .endOfFile)
        let cut = try check(Array(file.file.dropLast(1)), chunkSizes: [4135, 1028, 517])
        #expect(cut.end == .truncated(packetsRead: 3))
    }

    @Test func recordsOfEverySize_matchLibpcap_atEveryChunkSize() throws {
        // Records of 0–300 bytes, so chunk ends fall inside headers, inside data and on boundaries.
        var file = ClassicPcapBuilder(bigEndian: true)
        var generator = 17
        for index in 0..<60 {
            generator = (generator &* 1_103_515_245 &+ 12345) & 0x7FFF_FFFF
            file.record(
                seconds: UInt32(index), fraction: UInt32(generator % 1_000_000),
                data: ClassicPcapBuilder.payload(generator % 301, seed: index))
        }
        let reading = try check(file.file, chunkSizes: [nil] + Array(stride(from: 16, through: 400, by: 7)))
        #expect(reading.packets.count == 60)
    }

    // MARK: headers left to libpcap

    @Test func linkTypeFcsBits_areIgnored_andOtherUpperBits_makeAnotherLinkType() throws {
        for (field, classic, linkType) in [
            (1 | 1 << 26, true, LinkType.ethernet), (1 | 0xF << 28 | 1 << 26, true, .ethernet),
            (113 | 1 << 31, true, .linuxSLL), (276, true, .linuxSLL2), (1 | 1 << 16, false, nil),
            (1 | 1 << 25, false, nil),
        ] as [(UInt32, Bool, LinkType?)] {
            var file = ClassicPcapBuilder()
            file.linkType = field
            file.record(data: Self.frame)
            let reading = try check(file.file, classic: classic, chunkSizes: [nil])
            #expect(reading.linkType == linkType, "link type field \(String(field, radix: 16))")
            #expect(reading.isUnsupportedLinkType == !classic, "\(reading.end)")
        }
    }

    @Test func unusualHeaders_areReadByLibpcap() throws {
        // Older or newer versions, the modified magics and other link types: libpcap's own rules apply.
        var variants: [(String, ClassicPcapBuilder)] = []
        for version in [(2, 3), (2, 2), (2, 5), (1, 4), (3, 4)] as [(UInt16, UInt16)] {
            var file = ClassicPcapBuilder()
            file.version = version
            variants.append(("version \(version)", file))
        }
        for magic in [0xA1B2_CD34, 0xA12B_3C4D] as [UInt32] {
            var file = ClassicPcapBuilder()
            file.magic = magic
            variants.append(("magic \(String(magic, radix: 16))", file))
        }
        var radiotap = ClassicPcapBuilder()
        radiotap.linkType = 127
        variants.append(("link type 127", radiotap))
        for (label, var file) in variants {
            file.record(data: Self.frame, wire: 30)
            let reading = try check(file.file, classic: false, chunkSizes: [nil])
            #expect(!reading.classic, "\(label)")
        }
    }
}
