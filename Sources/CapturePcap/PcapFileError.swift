/// Why a capture file could not be read.
public enum PcapFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is missing or unreadable; `reason` is the errno text.
    case cannotOpen(path: String, reason: String)
    /// libpcap does not recognise the file as pcap or pcapng.
    case notACaptureFile(path: String, reason: String)
    /// A link type lanscope does not decode.
    case unsupportedLinkType(path: String, linkType: Int32, name: String)
    /// The file ended (or failed) mid-way; `packetsRead` packets were delivered before it.
    case truncated(path: String, packetsRead: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open \(path): \(reason)"
        case .notACaptureFile(let path, let reason):
            return "\(path) is not a pcap or pcapng capture file: \(reason)"
        case .unsupportedLinkType(let path, let linkType, let name):
            return
                "unsupported link type \(linkType) (\(name)) in \(path): lanscope reads Ethernet and Linux cooked captures"
        case .truncated(let path, let packetsRead, let reason):
            return "\(path) truncated after \(packetsRead) packets: \(reason)"
        }
    }
}
