internal import CPcap
import Glibc
import LanscopeCore
import Platform

/// Reads pcap and pcapng files with nanosecond timestamps, handing each packet to a closure
/// without copying it. Classic pcap files of the common kind (`ClassicPcapHeader`) are read by
/// `ClassicPcapRecords` in large chunks; every other file, pcapng included, through libpcap. Both
/// deliver the same packets and fail the same way for the same file.
public final class PcapFileReader {
    public let path: String
    public let linkType: LinkType
    /// Packets delivered so far.
    public private(set) var packetsRead = 0

    private enum Source {
        case classic(ClassicPcapRecords)
        case libpcap(OpaquePointer)
    }
    private let source: Source

    /// Opens `path` and reads its header: `.cannotOpen` when the file system refuses it,
    /// `.notACaptureFile` when it is not pcap or pcapng, `.unsupportedLinkType` for other links.
    public convenience init(path: String) throws(PcapFileError) {
        try self.init(path: path, libpcapOnly: false)
    }

    /// `libpcapOnly` reads every file through libpcap (what tests and the fuzzer compare the
    /// classic reader with); `chunkSize` is the classic reader's read size in bytes (default 1 MiB;
    /// small ones make records cross chunk ends in tests).
    @_spi(Testing)
    public init(
        path: String, libpcapOnly: Bool, chunkSize: Int? = nil
    ) throws(PcapFileError) {
        self.path = path
        // Ask the file system first so a missing or unreadable file gets its errno text rather
        // than libpcap's wording.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: errnoText(errno))
        }
        if !libpcapOnly, let header = Self.classicHeader(descriptor) {
            source = .classic(
                ClassicPcapRecords(
                    descriptor: descriptor, header: header,
                    chunkSize: chunkSize ?? ClassicPcapRecords.defaultChunkSize))
            linkType = header.linkType
            return
        }
        close(descriptor)

        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard
            let handle = pcap_open_offline_with_tstamp_precision(
                path, UInt32(PCAP_TSTAMP_PRECISION_NANO),
                &errorBuffer)
        else {
            let reason = String(
                decoding: errorBuffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) },
                as: UTF8.self)
            throw .notACaptureFile(path: path, reason: reason)
        }
        let dataLink = pcap_datalink(handle)
        guard let linkType = LinkType(rawValue: dataLink) else {
            let name = pcap_datalink_val_to_name(dataLink).map { String(cString: $0) } ?? "unknown"
            pcap_close(handle)
            throw .unsupportedLinkType(path: path, linkType: dataLink, name: name)
        }
        source = .libpcap(handle)
        self.linkType = linkType
    }

    deinit {
        if case .libpcap(let handle) = source { pcap_close(handle) }
    }

    /// Whether this file is read by `ClassicPcapRecords` rather than libpcap (for tests and the
    /// fuzzer, which check that the path they compare was taken).
    @_spi(Testing)
    public var readsClassicRecords: Bool {
        if case .classic = source { return true }
        return false
    }

    /// Calls `body` for every remaining packet with its captured bytes (valid only during the
    /// call), its length on the wire and its timestamp. Throws `.truncated` after delivering
    /// every packet that could be read when the file ends mid-record.
    public func forEachPacket(
        _ body: (_ bytes: UnsafeRawBufferPointer, _ wireLength: Int, _ time: Timestamp) -> Void
    ) throws(PcapFileError) {
        switch source {
        case .classic(let records):
            do {
                try records.forEach { bytes, wireLength, time in
                    packetsRead += 1
                    body(bytes, wireLength, time)
                }
            } catch {
                throw .truncated(path: path, packetsRead: packetsRead, reason: error.reason)
            }
        case .libpcap(let handle):
            try forEachPacket(handle, body)
        }
    }

    private func forEachPacket(
        _ handle: OpaquePointer,
        _ body: (_ bytes: UnsafeRawBufferPointer, _ wireLength: Int, _ time: Timestamp) -> Void
    ) throws(PcapFileError) {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            switch status {
            case 1:
                guard let header, let data else { continue }
                let record = header.pointee
                let captured = Int(record.caplen)
                // Opened with nanosecond precision, so `tv_usec` holds nanoseconds.
                let time = Timestamp(seconds: Int64(record.ts.tv_sec), nanoseconds: Int64(record.ts.tv_usec))
                packetsRead += 1
                body(UnsafeRawBufferPointer(start: data, count: captured), Int(record.len), time)
            case PCAP_ERROR_BREAK:  // end of file
                return
            default:
                let reason = pcap_geterr(handle).map { String(cString: $0) } ?? "read error \(status)"
                throw .truncated(path: path, packetsRead: packetsRead, reason: reason)
            }
        }
    }

    /// The file's header when it is a classic pcap file `ClassicPcapRecords` reads, leaving the
    /// descriptor just past it; nil otherwise (the caller closes it and asks libpcap). Only regular
    /// files: a pipe or device cannot be read twice.
    private static func classicHeader(_ descriptor: Int32) -> ClassicPcapHeader? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = (UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &bytes) { raw -> ClassicPcapHeader? in
            var got = 0
            while got < ClassicPcapHeader.size {
                let count = read(descriptor, raw.baseAddress! + got, ClassicPcapHeader.size - got)
                if count > 0 {
                    got += count
                } else if count == 0 || errno != EINTR {
                    return nil
                }
            }
            return ClassicPcapHeader(UnsafeRawBufferPointer(raw))
        }
    }
}
