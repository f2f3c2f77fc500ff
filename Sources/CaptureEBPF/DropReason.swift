internal import LanscopeABI

/// Why the kernel side could not count or deliver something. Raw values are the `reason` label of
/// the exported drop counter.
public enum DropReason: String, Sendable, CaseIterable, Comparable {
    /// The device map was full: a new MAC was not counted.
    case mapFull = "map_full"
    /// The perf buffer had no room (userspace too slow): a discovery frame was lost.
    case bufferFull = "buffer_full"
    /// A discovery frame longer than the snap length was delivered cut short.
    case truncated
    /// A TCP SYN was not handed up because its sender exceeded the SYN rate.
    case rateLimited = "rate_limited"
    /// A frame ended inside a header it announced (runts, cut IP/TCP/UDP headers).
    case malformed
    /// A DNS query (UDP to port 53) was not handed up because its sender exceeded the DNS rate.
    case dnsRateLimited = "dns_rate_limited"
    /// A TCP segment opening a TLS ClientHello or an HTTP/1.x request was not handed up because its
    /// sender exceeded the payload rate.
    case payloadRateLimited = "payload_rate_limited"

    /// Index into the kernel's drop array (`enum ls_drop_reason`).
    var index: UInt32 {
        switch self {
        case .mapFull: return UInt32(LS_DROP_MAP_FULL.rawValue)
        case .bufferFull: return UInt32(LS_DROP_BUFFER_FULL.rawValue)
        case .truncated: return UInt32(LS_DROP_TRUNCATED.rawValue)
        case .rateLimited: return UInt32(LS_DROP_RATE_LIMITED.rawValue)
        case .malformed: return UInt32(LS_DROP_MALFORMED.rawValue)
        case .dnsRateLimited: return UInt32(LS_DROP_DNS_RATE_LIMITED.rawValue)
        case .payloadRateLimited: return UInt32(LS_DROP_PAYLOAD_RATE_LIMITED.rawValue)
        }
    }

    public static func < (a: DropReason, b: DropReason) -> Bool { a.rawValue < b.rawValue }
}
