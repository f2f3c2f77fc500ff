import LanscopeCore

/// Frames decoded ahead of the pipeline, in capture order: for each, what its `DecodeResult` held,
/// with every frame's observations in one shared array (no array per frame). A file replay decodes
/// on a thread of its own and hands these batches to the pipeline's thread, so decoding the next
/// frames overlaps the pipeline's work on the previous ones.
public struct DecodedFrames: Sendable {
    /// One decoded frame: its `DecodeResult` without the observations and the error, plus what the
    /// pipeline is told alongside it. Plain values only (the rare error is kept in `failures`), so
    /// reading a frame copies bytes and retains nothing.
    public struct Frame: Sendable {
        public var summary: FrameSummary
        /// Length on the wire, as the capture recorded it (may exceed the captured bytes).
        public var wireLength: Int
        public var time: Timestamp
        public var discovery: DiscoveryProtocol?
        /// Whether the frame did not decode whole (`error(of:)` says why).
        public internal(set) var failed: Bool
        /// Where this frame's observations end in `observations` (exclusive); they start where the
        /// previous frame's end.
        public internal(set) var observationEnd: Int
    }

    public private(set) var frames: [Frame] = []
    /// Every frame's observations, frame after frame.
    public private(set) var observations: [Observation] = []
    /// The failed frames' errors, in frame order, with their frame's index.
    private var failures: [(frame: Int, failure: DecodeFailure)] = []
    /// The frames' lengths on the wire added up (negative lengths count as 0).
    public private(set) var wireBytes: UInt64 = 0

    /// The first and the last frame's time (nil while empty).
    public var firstTime: Timestamp? { frames.first?.time }
    public var lastTime: Timestamp? { frames.last?.time }

    /// An empty batch with room for `frames` frames and `observations` observations (default 0:
    /// grows as needed).
    public init(reservingCapacity frames: Int = 0, observations: Int = 0) {
        self.frames.reserveCapacity(frames)
        self.observations.reserveCapacity(observations)
    }

    /// The frames and every frame's observations, read in place (valid only during `body`): a
    /// frame's observations are `observations[previous frame's observationEnd..<its own]`.
    public func withUnsafeFrames<R>(
        _ body: (_ frames: UnsafeBufferPointer<Frame>, _ observations: UnsafeBufferPointer<Observation>) throws -> R
    ) rethrows -> R {
        try frames.withUnsafeBufferPointer { frames in
            try observations.withUnsafeBufferPointer { observations in try body(frames, observations) }
        }
    }

    /// Frames held.
    public var count: Int { frames.count }

    public var isEmpty: Bool { frames.isEmpty }

    /// Appends the frame `result` describes (its summary, observations, discovery protocol and error).
    public mutating func append(_ result: DecodeResult, wireLength: Int, time: Timestamp) {
        // Most frames carry none: the append machinery is not worth entering for nothing.
        if !result.observations.isEmpty { observations.append(contentsOf: result.observations) }
        wireBytes &+= UInt64(max(wireLength, 0))
        if let error = result.error { failures.append((frames.count, error)) }
        frames.append(
            Frame(
                summary: result.summary, wireLength: wireLength, time: time, discovery: result.discovery,
                failed: result.error != nil, observationEnd: observations.count))
    }

    /// Why frame `index` did not decode whole (nil when it did).
    public func error(of index: Int) -> DecodeFailure? {
        guard frames[index].failed else { return nil }
        var low = 0
        var high = failures.count
        while low < high {
            let middle = (low + high) / 2
            if failures[middle].frame < index { low = middle + 1 } else { high = middle }
        }
        return failures[low].failure
    }

    /// The observations of frame `index`, in the order its decode gave them.
    public func observations(of index: Int) -> ArraySlice<Observation> {
        let start = index == 0 ? 0 : frames[index - 1].observationEnd
        return observations[start..<frames[index].observationEnd]
    }
}
