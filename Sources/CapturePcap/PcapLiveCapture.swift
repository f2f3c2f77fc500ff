/// CapturePcap: libpcap-backed capture — live interfaces (`PcapLiveCapture`) and capture files
/// (`PcapFileReader`). libpcap stays inside this module (`internal import CPcap`); callers see bytes,
/// lengths and `Timestamp`s only. Never import CLibBPF here: libpcap's and Linux's `bpf_insn` clash.
internal import CPcap
import Glibc
import LanscopeCore

/// Live capture with libpcap: the portable backend used when eBPF cannot attach, or on request.
/// Immediate mode, no capture filter (per-device counters need every frame), nanosecond timestamps.
public final class PcapLiveCapture: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var interface: String
        /// Bytes kept per frame (default 2048: a full DHCP packet with options fits; counters use the
        /// wire length, so truncation never skews them).
        public var snapLength: Int32 = 2048
        /// Promiscuous mode (default false; span mode turns it on to see mirrored traffic).
        public var promiscuous: Bool = false
        /// Kernel buffer in bytes (default 8 MiB).
        public var bufferBytes: Int32 = 8 << 20
        /// Read timeout for `dispatch` in milliseconds (default 200) so the loop can notice shutdown.
        public var timeoutMilliseconds: Int32 = 200
        public init(interface: String) { self.interface = interface }
    }

    public struct Statistics: Sendable, Hashable {
        /// Frames the kernel handed to libpcap.
        public var received: UInt64
        /// Frames the kernel dropped because the buffer was full (`ps_drop`).
        public var dropped: UInt64
        /// Frames the interface/driver dropped (`ps_ifdrop`).
        public var interfaceDropped: UInt64
        public init(received: UInt64 = 0, dropped: UInt64 = 0, interfaceDropped: UInt64 = 0) {
            self.received = received; self.dropped = dropped; self.interfaceDropped = interfaceDropped
        }
    }

    public let configuration: Configuration
    public let linkType: LinkType
    /// The interface's own MAC: frames from it are outgoing, which is how counters tell direction.
    public let interfaceMAC: MACAddress?
    private let handle: OpaquePointer
    private let selectableFD: Int32
    private var lastStats = (recv: UInt32(0), drop: UInt32(0), ifdrop: UInt32(0))
    private var totals = Statistics(received: 0, dropped: 0, interfaceDropped: 0)

    public init(_ configuration: Configuration) throws(PcapCaptureError) {
        self.configuration = configuration
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_create(configuration.interface, &errbuf) else {
            throw .openFailed(interface: configuration.interface, reason: String(cString: errbuf))
        }
        pcap_set_snaplen(handle, configuration.snapLength)
        pcap_set_promisc(handle, configuration.promiscuous ? 1 : 0)
        pcap_set_timeout(handle, configuration.timeoutMilliseconds)
        pcap_set_immediate_mode(handle, 1)
        pcap_set_buffer_size(handle, configuration.bufferBytes)
        pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(handle)
        if status < 0 {
            let message = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            switch status {
            case PCAP_ERROR_PERM_DENIED:
                throw .permissionDenied(interface: configuration.interface, reason: message)
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw .noSuchInterface(configuration.interface)
            case PCAP_ERROR_IFACE_NOT_UP:
                throw .interfaceDown(configuration.interface)
            default:
                throw .openFailed(interface: configuration.interface, reason: message)
            }
        }
        let dlt = pcap_datalink(handle)
        guard let linkType = LinkType(rawValue: dlt) else {
            let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "?"
            pcap_close(handle)
            throw .unsupportedLinkType(dlt, name: name, source: configuration.interface)
        }
        // In immediate mode libpcap on Linux waits in poll() with no timeout, so a quiet LAN would never
        // let the capture loop publish statistics or run ticks: read without blocking and wait in our
        // own poll() with the configured timeout instead.
        if pcap_setnonblock(handle, 1, &errbuf) != 0 {
            pcap_close(handle)
            throw .openFailed(interface: configuration.interface, reason: String(cString: errbuf))
        }
        self.handle = handle
        self.linkType = linkType
        self.selectableFD = pcap_get_selectable_fd(handle)
        self.interfaceMAC = PcapLiveCapture.readInterfaceMAC(configuration.interface)
    }

    deinit { pcap_close(handle) }

    /// Processes the frames available now, waiting at most the read timeout when there are none. Returns
    /// how many were handed to `body` (0 after a quiet timeout); the buffer is valid only during the call.
    @discardableResult
    public func dispatch(
        maxFrames: Int32 = 1024,
        _ body: (UnsafeRawBufferPointer, Int, Timestamp) -> Void
    ) throws(PcapCaptureError) -> Int {
        var count = try drain(maxFrames: maxFrames, body)
        if count == 0 && selectableFD >= 0 {
            var fd = pollfd(fd: selectableFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, configuration.timeoutMilliseconds)
            if ready > 0 { count = try drain(maxFrames: maxFrames, body) }
        }
        return count
    }

    private func drain(maxFrames: Int32, _ body: (UnsafeRawBufferPointer, Int, Timestamp) -> Void)
        throws(PcapCaptureError) -> Int
    {
        var count = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        while count < maxFrames {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1, let header, let data {
                let h = header.pointee
                // Nanosecond precision was requested: tv_usec holds nanoseconds.
                let time = Timestamp(seconds: Int64(h.ts.tv_sec), nanoseconds: Int64(h.ts.tv_usec))
                body(UnsafeRawBufferPointer(start: data, count: Int(h.caplen)), Int(h.len), time)
                count += 1
            } else if rc == 0 || rc == PCAP_ERROR_BREAK {
                break
            } else {
                throw .readFailed(source: configuration.interface, reason: String(cString: pcap_geterr(handle)))
            }
        }
        return count
    }

    /// Makes a blocked `dispatch` return (safe from another thread).
    public func breakLoop() { pcap_breakloop(handle) }

    /// Kernel counters since open; 32-bit libpcap counters are widened across wrap-around.
    public func statistics() -> Statistics {
        var s = pcap_stat()
        guard pcap_stats(handle, &s) == 0 else { return totals }
        totals.received &+= UInt64(s.ps_recv &- lastStats.recv)
        totals.dropped &+= UInt64(s.ps_drop &- lastStats.drop)
        totals.interfaceDropped &+= UInt64(s.ps_ifdrop &- lastStats.ifdrop)
        lastStats = (s.ps_recv, s.ps_drop, s.ps_ifdrop)
        return totals
    }

    static func readInterfaceMAC(_ interface: String) -> MACAddress? {
        guard !interface.contains("/"), let fp = fopen("/sys/class/net/\(interface)/address", "r") else { return nil }
        defer { fclose(fp) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, 64, fp) != nil else { return nil }
        let text = String(cString: buffer).trimmingCharacters(in: [" ", "\n"])
        return MACAddress(text)
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
