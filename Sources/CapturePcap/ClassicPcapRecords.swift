import Glibc
import LanscopeCore
import Platform

/// The records of a classic pcap file, read with `read(2)` in large chunks into a buffer this
/// value owns and handed out in place.
///
/// Why not libpcap: `pcap_next_ex` on a savefile does two `fread`s per record through a one-page
/// stdio buffer (the stream's lock, a `read` every 4 KiB, a copy into its own buffer). On the
/// 1,000,000-frame benchmark capture that walk took 190–280 ms against 76–100 ms for this one, and
/// a replay reads on a thread of its own, so what it saves is wall time (`DecodeAhead`). `mmap`
/// was slower here (~155 ms) and raises SIGBUS when the file is truncated under the reader.
///
/// What is delivered, and when reading stops, follows libpcap 1.10 for the same files (see
/// `ClassicPcapHeader`): a record whose captured length exceeds 262144 is an error; one longer
/// than the snapshot length is read whole and delivered cut to it; a captured length larger than
/// the wire length is delivered as it is; the fraction is multiplied by 1000 in a microsecond file
/// and never normalised. Seconds and the fraction are signed 32-bit values in a file of this host's
/// byte order but unsigned in a byte-swapped one (libpcap swaps them as unsigned fields; found by
/// FuzzPcapReader), so 0xFFFFFFFF seconds is -1 in one and 4294967295 in the other.
final class ClassicPcapRecords {
    /// Bytes read at once (default 1 MiB: one `read` per ~1,500 average frames; larger reads
    /// gained nothing measurable).
    static let defaultChunkSize = 1 << 20
    /// Bytes in a record header: seconds, fraction, captured length, wire length.
    static let recordHeaderSize = 16

    private let descriptor: Int32
    private let header: ClassicPcapHeader
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    /// The first byte not yet consumed, and one past the last byte read.
    private var start = 0
    private var end = 0
    private var endOfFile = false

    /// Takes ownership of `descriptor`, positioned just after the file header. `chunkSize` (bytes,
    /// at least a record header) is what each `read` asks for; the buffer grows past it only for
    /// a record longer than a chunk, and never past the longest record libpcap accepts.
    init(descriptor: Int32, header: ClassicPcapHeader, chunkSize: Int = ClassicPcapRecords.defaultChunkSize) {
        precondition(chunkSize >= Self.recordHeaderSize, "a chunk must hold a record header")
        self.descriptor = descriptor
        self.header = header
        capacity = chunkSize
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        close(descriptor)
    }

    /// Why reading stopped before the file's end.
    enum Failure: Error, Equatable {
        /// The file ends inside a record header: `got` of its 16 bytes.
        case recordHeaderCut(got: Int)
        /// The file ends inside a record's captured bytes.
        case recordCut(capturedLength: Int, got: Int)
        /// A captured length above what libpcap accepts (a damaged or hostile file).
        case capturedLengthTooLarge(Int)
        /// `read` failed with this errno.
        case readFailed(errno: Int32)

        var reason: String {
            switch self {
            case .recordHeaderCut(let got):
                return "the file ends inside a record header (\(got) of \(ClassicPcapRecords.recordHeaderSize) bytes)"
            case .recordCut(let capturedLength, let got):
                return "the file ends inside a record (\(got) of its \(capturedLength) captured bytes)"
            case .capturedLengthTooLarge(let length):
                return
                    "a record's captured length \(length) is over the \(ClassicPcapHeader.maximumCapturedLength) bytes a record may hold"
            case .readFailed(let code):
                return "read failed: \(errnoText(code))"
            }
        }
    }

    /// Calls `body` for each remaining record with its delivered bytes (valid only during the
    /// call), wire length and timestamp, until the file ends; throws when it ends mid-record or
    /// cannot be read, after delivering every record before that point.
    func forEach(
        _ body: (_ bytes: UnsafeRawBufferPointer, _ wireLength: Int, _ time: Timestamp) -> Void
    ) throws(Failure) {
        let swapped = header.byteSwapped
        let fractionScale: Int64 = header.nanosecond ? 1 : 1000
        let snapshotLength = header.snapshotLength
        while true {
            if end - start < Self.recordHeaderSize {
                guard try fill(Self.recordHeaderSize) else {
                    if end == start { return }
                    throw .recordHeaderCut(got: end - start)
                }
            }
            let record = UnsafeRawPointer(buffer + start)
            var seconds = record.loadUnaligned(as: UInt32.self)
            var fraction = record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            var captured = record.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
            var wire = record.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
            if swapped {
                seconds = seconds.byteSwapped
                fraction = fraction.byteSwapped
                captured = captured.byteSwapped
                wire = wire.byteSwapped
            }
            guard captured <= ClassicPcapHeader.maximumCapturedLength else {
                throw .capturedLengthTooLarge(Int(captured))
            }
            let recordLength = Self.recordHeaderSize + Int(captured)
            if end - start < recordLength {
                guard try fill(recordLength) else {
                    throw .recordCut(capturedLength: Int(captured), got: end - start - Self.recordHeaderSize)
                }
            }
            let bytes = UnsafeRawBufferPointer(
                start: buffer + start + Self.recordHeaderSize, count: min(Int(captured), snapshotLength))
            start += recordLength
            let time =
                swapped
                ? Timestamp(seconds: Int64(seconds), nanoseconds: Int64(fraction) * fractionScale)
                : Timestamp(
                    seconds: Int64(Int32(bitPattern: seconds)),
                    nanoseconds: Int64(Int32(bitPattern: fraction)) * fractionScale)
            body(bytes, Int(wire), time)
        }
    }

    /// Makes `count` bytes from `start` available, moving what is left of the buffer to its front
    /// and reading to fill it; false when the file ends first. `count` is at most a record header
    /// plus `maximumCapturedLength`, which bounds the buffer.
    private func fill(_ count: Int) throws(Failure) -> Bool {
        let remaining = end - start
        if start > 0 {
            if remaining > 0 { memmove(buffer, buffer + start, remaining) }
            start = 0
            end = remaining
        }
        if count > capacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
            grown.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = grown
            capacity = count
        }
        while end < count && !endOfFile {
            let got = read(descriptor, buffer + end, capacity - end)
            if got > 0 {
                end += got
            } else if got == 0 {
                endOfFile = true
            } else if errno != EINTR {
                throw .readFailed(errno: errno)
            }
        }
        return end >= count
    }
}
