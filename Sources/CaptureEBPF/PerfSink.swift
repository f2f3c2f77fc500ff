internal import LanscopeABI

/// Receives perf buffer records during `EBPFCapture.poll` and turns them into `EBPFFrame`s.
final class PerfSink: @unchecked Sendable {
    /// Set only for the duration of one `poll` call.
    var deliver: ((EBPFFrame) -> Void)?
    var time = KernelTime()
    var delivered = 0
    /// Records the perf buffer itself reported lost (the kernel side counts the same loss as
    /// `buffer_full`; kept for diagnostics).
    var lostRecords: UInt64 = 0
    /// Records too short for the header they announce (never produced by our programs).
    var malformedRecords: UInt64 = 0

    static let sampleCallback:
        @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeMutableRawPointer?, UInt32) -> Void = {
            context, _, data, size in
            guard let context, let data else { return }
            let sink = Unmanaged<PerfSink>.fromOpaque(context).takeUnretainedValue()
            sink.receive(UnsafeRawBufferPointer(start: data, count: Int(size)))
        }

    static let lostCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, UInt64) -> Void = { context, _, count in
        guard let context else { return }
        Unmanaged<PerfSink>.fromOpaque(context).takeUnretainedValue().lostRecords &+= count
    }

    func receive(_ record: UnsafeRawBufferPointer) {
        let headerSize = MemoryLayout<ls_event_header>.size
        guard record.count >= headerSize else {
            malformedRecords &+= 1
            return
        }
        let header = record.loadUnaligned(as: ls_event_header.self)
        let captured = Int(header.cap_len)
        guard record.count - headerSize >= captured else {
            malformedRecords &+= 1
            return
        }
        let bytes = Array(record[headerSize..<(headerSize + captured)])
        let frame = EBPFFrame(
            bytes: bytes, wireLength: Int(header.wire_len),
            time: time.wallClock(kernelNanoseconds: header.timestamp_ns),
            direction: header.capture_point == UInt8(LS_CAPTURE_EGRESS.rawValue) ? .egress : .ingress,
            interfaceIndex: Int(header.ifindex))
        delivered += 1
        deliver?(frame)
    }
}
