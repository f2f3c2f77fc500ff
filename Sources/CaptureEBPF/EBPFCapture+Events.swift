internal import CLibBPF
import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension EBPFCapture {
    /// Waits up to `timeout` for discovery frames and passes each to `body` on the calling thread.
    /// Returns the number of frames delivered (0 on timeout or signal). One caller at a time.
    public func poll(timeout: Duration, _ body: (EBPFFrame) -> Void) -> Int {
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        return withoutActuallyEscaping(body) { escapable in
            sink.deliver = escapable
            sink.delivered = 0
            sink.time = KernelTime()
            defer { sink.deliver = nil }
            let result = perf_buffer__poll(perfBuffer, milliseconds)
            if result < 0 && result != -EINTR {
                logger.warning(
                    "perf buffer poll failed", metadata: ["error": "\(EBPFError.libbpf("perf_buffer__poll", result))"])
            }
            return sink.delivered
        }
    }

    /// Records the perf buffer reported lost to userspace (also counted by the kernel as `buffer_full`).
    public var perfBufferLostRecords: UInt64 { sink.lostRecords }
}
