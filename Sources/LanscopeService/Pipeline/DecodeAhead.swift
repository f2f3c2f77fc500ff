import CapturePcap
import LanscopeCore
import PacketDecoding
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a capture file and decodes its frames on a thread of its own, handing them over in order,
/// in batches, to the thread that runs the pipeline: reading and decoding (about a third of a
/// discovery-heavy replay's work) overlap the pipeline's, on a second core. Decoding is pure and
/// the pipeline consumes the frames in capture order, so what a replay learns is the same as when
/// it decodes frame by frame itself; only where the work runs changes.
///
/// One producer, one consumer: `next()` until it returns nil, then `finish()`. At most `depth`
/// batches wait, so a pipeline slower than decoding holds the decoder back rather than the file in
/// memory.
final class DecodeAhead: @unchecked Sendable {
    /// Frames per batch handed over (default 512: one lock round trip per batch is negligible,
    /// and a batch of discovery frames is well under a megabyte).
    static let defaultBatchSize = 512
    /// Batches decoded and waiting at most (default 4).
    static let defaultDepth = 4

    private let lock = ConditionLock()
    /// Written by the decoding thread, read by the consumer; both under `lock`.
    private var waiting: [DecodedFrames] = []
    private var done = false
    /// Set by `finish()`: whatever is still decoded is dropped instead of waited on.
    private var abandoned = false
    /// The reader's error when the file ended early; read after the thread is joined.
    private var readError: PcapFileError?
    private let depth: Int
    private var thread: pthread_t?

    /// Starts decoding `reader`'s remaining packets. The reader belongs to the decoding thread until
    /// `finish()` returns. Throws when the thread cannot be started (nothing has been read then).
    init(
        reader: PcapFileReader, batchSize: Int = DecodeAhead.defaultBatchSize, depth: Int = DecodeAhead.defaultDepth
    ) throws(ThreadError) {
        precondition(batchSize > 0 && depth > 0, "batch size and depth must be positive")
        self.depth = depth
        let source = UncheckedReader(reader: reader)
        thread = try POSIXThread.start(name: "ls-decode") { [self] in
            decode(source.reader, batchSize: batchSize)
        }
    }

    /// The reader moves to the decoding thread and is not touched by its creator until the join.
    private struct UncheckedReader: @unchecked Sendable {
        let reader: PcapFileReader
    }

    /// The decoding thread's state. One value whose mutating method decodes a frame, so the result
    /// and the batch are reached as parts of `self` rather than through the closure's captures
    /// (which copied the whole `DecodeResult` out and back per frame).
    private struct Decoding {
        let decoder: FrameDecoder
        let batchSize: Int
        // Reused across frames, as the pipeline reuses its own: its buffer keeps its capacity and
        // its mDNS memo answers repeated messages (`MDNSRepeats`).
        var result = DecodeResult()
        var batch: DecodedFrames

        init(linkType: LinkType, batchSize: Int) {
            decoder = FrameDecoder(linkType: linkType)
            self.batchSize = batchSize
            batch = DecodedFrames(reservingCapacity: batchSize)
        }

        /// Decodes one frame into the batch; returns the batch when it is full.
        mutating func add(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: Timestamp) -> DecodedFrames? {
            decoder.decode(bytes, wireLength: wireLength, time: time, into: &result)
            batch.append(result, wireLength: wireLength, time: time)
            guard batch.count >= batchSize else { return nil }
            // The next batch starts with room for about as many observations as this one held: they
            // are appended frame by frame, and an array grown from empty is reallocated (and its
            // observations copied) several times a batch.
            let observations = batch.observations.count
            defer { batch = DecodedFrames(reservingCapacity: batchSize, observations: observations + observations / 8) }
            return batch
        }
    }

    private func decode(_ reader: PcapFileReader, batchSize: Int) {
        var decoding = Decoding(linkType: reader.linkType, batchSize: batchSize)
        do {
            try reader.forEachPacket { bytes, wireLength, time in
                if let full = decoding.add(bytes, wireLength: wireLength, time: time) { hand(full) }
            }
        } catch {
            readError = error
        }
        if !decoding.batch.isEmpty { hand(decoding.batch) }
        lock.lock()
        done = true
        lock.signal()
        lock.unlock()
    }

    private func hand(_ batch: DecodedFrames) {
        lock.lock()
        while waiting.count >= depth && !abandoned { lock.wait() }
        if !abandoned { waiting.append(batch) }
        // One waiter at a time on either side: the consumer for a batch or the producer for room.
        lock.signal()
        lock.unlock()
    }

    /// The next batch in capture order, waiting for it; nil once every frame has been handed over.
    func next() -> DecodedFrames? {
        lock.lock()
        defer { lock.unlock() }
        while waiting.isEmpty && !done { lock.wait() }
        guard !waiting.isEmpty else { return nil }
        let batch = waiting.removeFirst()
        lock.signal()
        return batch
    }

    /// Waits for the decoding thread to end; returns the reader's error when the file ended early
    /// (every frame read before it has been handed over). Called before `next()` returned nil, it
    /// drops what is not yet taken and lets the thread run to the file's end without waiting.
    func finish() -> PcapFileError? {
        lock.lock()
        abandoned = true
        waiting.removeAll()
        lock.signal()
        lock.unlock()
        if let thread {
            POSIXThread.join(thread)
            self.thread = nil
        }
        return readError
    }
}
