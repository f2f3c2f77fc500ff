@_spi(Testing) import CapturePcap
import Foundation
import LanscopeCore
import Testing

/// What a `PcapFileReader` made of a file: its open error or link type, every packet it delivered,
/// and how reading ended. Two readers agree on a file when their `PcapReading`s are equal.
struct PcapReading: Equatable, CustomStringConvertible {
    struct Packet: Equatable {
        var bytes: [UInt8]
        var wireLength: Int
        var time: Timestamp
    }

    enum End: Equatable {
        /// The constructor threw: the error's case and the fields that are not libpcap's wording.
        case openFailed(String)
        case endOfFile
        case truncated(packetsRead: Int)
    }

    var linkType: LinkType?
    var packets: [Packet] = []
    var end: End
    /// `PcapFileReader.readsClassicRecords`: the file was read by our classic-pcap reader.
    var classic = false
    /// The error's text (not compared: the two readers word it differently).
    var reason = ""

    /// Reads `path` through `PcapFileReader`, through libpcap alone when `libpcapOnly`.
    init(path: String, libpcapOnly: Bool, chunkSize: Int? = nil) {
        let reader: PcapFileReader
        do {
            reader = try PcapFileReader(path: path, libpcapOnly: libpcapOnly, chunkSize: chunkSize)
        } catch {
            switch error {
            case .cannotOpen: end = .openFailed("cannotOpen")
            case .notACaptureFile: end = .openFailed("notACaptureFile")
            case .unsupportedLinkType(_, let linkType, let name): end = .openFailed("unsupported \(linkType) \(name)")
            case .truncated: end = .openFailed("truncated")
            }
            reason = error.description
            return
        }
        linkType = reader.linkType
        classic = reader.readsClassicRecords
        var packets: [Packet] = []
        do {
            try reader.forEachPacket { bytes, wireLength, time in
                packets.append(Packet(bytes: Array(bytes), wireLength: wireLength, time: time))
            }
            end = .endOfFile
        } catch {
            if case .truncated(_, let count, let why) = error {
                end = .truncated(packetsRead: count)
                reason = why
            } else {
                end = .openFailed("unexpected \(error)")
            }
        }
        self.packets = packets
        #expect(reader.packetsRead == packets.count, "packetsRead counts every delivered packet")
    }

    /// Whether opening failed with `.unsupportedLinkType`.
    var isUnsupportedLinkType: Bool {
        if case .openFailed(let kind) = end { return kind.hasPrefix("unsupported ") }
        return false
    }

    static func == (a: PcapReading, b: PcapReading) -> Bool {
        a.linkType == b.linkType && a.packets == b.packets && a.end == b.end
    }

    var description: String {
        "\(linkType.map { "\($0)" } ?? "no link type"), \(packets.count) packets, \(end) \(reason)"
    }

    /// Reads `path` both ways and records an issue where they differ (the first differing packet,
    /// not thousands of bytes); returns our reader's reading.
    @discardableResult
    static func compare(
        _ path: String, chunkSize: Int? = nil, label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> PcapReading {
        let ours = PcapReading(path: path, libpcapOnly: false, chunkSize: chunkSize)
        let libpcap = PcapReading(path: path, libpcapOnly: true)
        guard ours != libpcap else { return ours }
        let index = zip(ours.packets, libpcap.packets).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        if let index {
            let (a, b) = (ours.packets[index], libpcap.packets[index])
            let mine = "\(a.wireLength) wire, \(a.bytes.count) bytes, \(a.time)"
            let theirs = "\(b.wireLength) wire, \(b.bytes.count) bytes, \(b.time)"
            Issue.record(
                "\(label): packet \(index) differs: ours \(mine); libpcap \(theirs)", sourceLocation: sourceLocation)
        } else {
            Issue.record("\(label): ours \(ours), libpcap \(libpcap)", sourceLocation: sourceLocation)
        }
        return ours
    }
}

/// Classic pcap files built by hand, in either byte order and timestamp precision, with any
/// field set to what a test needs (pcap-savefile(5)).
struct ClassicPcapBuilder {
    var bigEndian = false
    var nanosecond = false
    var magic: UInt32?
    var version: (UInt16, UInt16) = (2, 4)
    var timeZone: UInt32 = 0
    var accuracy: UInt32 = 0
    var snaplen: UInt32 = 65535
    var linkType: UInt32 = 1
    private(set) var bytes: [UInt8] = []

    init(bigEndian: Bool = false, nanosecond: Bool = false) {
        self.bigEndian = bigEndian
        self.nanosecond = nanosecond
    }

    private func u32(_ value: UInt32) -> [UInt8] {
        let little = [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
        return bigEndian ? little.reversed() : little
    }

    private func u16(_ value: UInt16) -> [UInt8] {
        bigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    var header: [UInt8] {
        u32(magic ?? (nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4)) + u16(version.0) + u16(version.1) + u32(timeZone)
            + u32(accuracy) + u32(snaplen) + u32(linkType)
    }

    /// Appends a record; `captured` defaults to the data's length, `wire` to the captured length.
    mutating func record(
        seconds: UInt32 = 1_700_000_000, fraction: UInt32 = 0, data: [UInt8], captured: UInt32? = nil,
        wire: UInt32? = nil
    ) {
        let captured = captured ?? UInt32(data.count)
        bytes += u32(seconds) + u32(fraction) + u32(captured) + u32(wire ?? captured) + data
    }

    /// The whole file: header then records.
    var file: [UInt8] { header + bytes }

    /// Distinct bytes for a record of `count` (so a shifted or cut copy never compares equal).
    static func payload(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ $0 >> 8) }
    }
}

/// A file in the temporary directory, removed when the value goes away.
final class TemporaryCapture {
    let path: String

    init(_ bytes: [UInt8], name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("lanscope-\(safe)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    deinit { unlink(path) }
}
