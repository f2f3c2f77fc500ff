internal import CPcap
import Glibc
import LanscopeCore

/// Reads pcap and pcapng files through libpcap with nanosecond timestamps, handing each packet to
/// a closure without copying it.
public final class PcapFileReader {
    public let path: String
    public let linkType: LinkType
    /// Packets delivered so far.
    public private(set) var packetsRead = 0

    private let handle: OpaquePointer

    public init(path: String) throws(PcapFileError) {
        self.path = path
        // Ask the file system first so a missing or unreadable file gets its errno text rather
        // than libpcap's wording.
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: Self.errnoText(errno))
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
        self.handle = handle
        self.linkType = linkType
    }

    deinit {
        pcap_close(handle)
    }

    /// Calls `body` for every remaining packet with its captured bytes (valid only during the
    /// call), its length on the wire and its timestamp. Throws `.truncated` after delivering
    /// every packet that could be read when the file ends mid-record.
    public func forEachPacket(
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

    private static func errnoText(_ code: Int32) -> String {
        let text = strerror(code).map { String(cString: $0) } ?? "error"
        return "\(text) (errno \(code))"
    }
}
