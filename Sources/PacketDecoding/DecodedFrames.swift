import LanscopeCore

/// Frames decoded ahead of the pipeline, in capture order: for each, what its `DecodeResult` held,
/// with every frame's observations in one shared array (no array per frame). A file replay decodes
/// on a thread of its own and hands these batches to the pipeline's thread, so decoding the next
/// frames overlaps the pipeline's work on the previous ones.
public struct DecodedFrames: Sendable {
    /// One decoded frame: its `DecodeResult` without the observations, plus what the pipeline is
    /// told alongside it.
    public struct Frame: Sendable {
        public var summary: FrameSummary
        /// Length on the wire, as the capture recorded it (may exceed the captured bytes).
        public var wireLength: Int
        public var time: Timestamp
        public var discovery: DiscoveryProtocol?
        public var error: DecodeFailure?
        /// Where this frame's observations end in `observations` (exclusive); they start where the
        /// previous frame's end.
        var observationEnd: Int
    }

    public private(set) var frames: [Frame] = []
    /// Every frame's observations, frame after frame.
    public private(set) var observations: [Observation] = []

    /// An empty batch with room for `frames` frames (default 0: grows as needed).
    public init(reservingCapacity frames: Int = 0) {
        self.frames.reserveCapacity(frames)
    }

    /// Frames held.
    public var count: Int { frames.count }

    public var isEmpty: Bool { frames.isEmpty }

    /// Appends the frame `result` describes (its summary, observations, discovery protocol and error).
    public mutating func append(_ result: DecodeResult, wireLength: Int, time: Timestamp) {
        observations.append(contentsOf: result.observations)
        frames.append(
            Frame(
                summary: result.summary, wireLength: wireLength, time: time, discovery: result.discovery,
                error: result.error, observationEnd: observations.count))
    }

    /// The observations of frame `index`, in the order its decode gave them.
    public func observations(of index: Int) -> ArraySlice<Observation> {
        let start = index == 0 ? 0 : frames[index - 1].observationEnd
        return observations[start..<frames[index].observationEnd]
    }
}
