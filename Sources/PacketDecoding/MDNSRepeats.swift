import LanscopeCore

/// The facts of recently decoded mDNS messages, by sender and exact payload bytes. Hosts repeat
/// their announcements and queries byte for byte (RFC 6762 §8.3 announces at least twice, §5.2
/// re-queries at growing intervals, and a cache refresh re-sends the same records), and what the
/// decoder draws from an mDNS message depends only on its bytes and its sender. A repeat is
/// recognised by comparing bytes, so it costs no `DNSMessage`, no `String` per name and no
/// announcement assembly; its facts are the first decode's, with the new frame's time.
///
/// Two-way set-associative and bounded: `slotCount` entries, each holding at most `maximumPayload`
/// bytes and `FrameDecoder.maximumObservationsPerFrame` facts; a new message replaces the less
/// recently used of its two candidate entries. Lives in `DecodeResult`, which the pipeline
/// reuses across frames; a fresh result starts empty, so one-off decodes take the ordinary path.
public struct MDNSRepeats: Sendable {
    /// Entries kept (a power of two). Enough for every host of a busy LAN to have its query and
    /// its announcement held at once (8,192 × at most 512 bytes: 4 MiB at most, a few hundred
    /// bytes an entry in practice).
    public static let slotCount = 8192
    /// Longer messages (a large service list) are decoded every time rather than held.
    public static let maximumPayload = 512

    struct Entry: Sendable {
        /// Not a MAC (those fit in 48 bits) until filled.
        var sender = UInt64.max
        var payload: [UInt8] = []
        var facts: [Fact] = []
    }

    /// Allocated on the first `store`, so a `DecodeResult` that never sees mDNS costs nothing.
    /// Entries `2k` and `2k + 1` are one set.
    private var entries: [Entry] = []
    /// Per set, which of its two entries was used last (0 or 1).
    private var lastUsed: [UInt8] = []

    public init() {}

    /// Messages answered from an entry so far.
    public private(set) var hits: UInt64 = 0

    /// Messages held now.
    public var count: Int { entries.count(where: { $0.sender != UInt64.max }) }

    /// The set for this sender and message: the MAC, the length and the header's flags word (a
    /// query and a response from one host mostly go to different sets).
    static func setIndex(sender: MACAddress, payload: UnsafeRawBufferPointer) -> Int {
        var key = sender.rawValue &* 0x9E37_79B9_7F4A_7C15
        key ^= UInt64(payload.count) &* 0xC2B2_AE3D_27D4_EB4F
        if payload.count >= 4 {
            key ^= UInt64(payload.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) &* 0x1656_67B1_9E37_79F9
        }
        key ^= key >> 29
        key &*= 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: (key ^ (key >> 32)) & UInt64(slotCount / 2 - 1))
    }

    /// The facts the same sender's identical message gave, or nil when it is not held.
    mutating func facts(sender: MACAddress, payload: UnsafeRawBufferPointer) -> [Fact]? {
        guard !entries.isEmpty, payload.count <= Self.maximumPayload else { return nil }
        let set = Self.setIndex(sender: sender, payload: payload)
        for way in 0..<2 {
            let index = 2 * set + way
            guard entries[index].sender == sender.rawValue, entries[index].payload.count == payload.count,
                entries[index].payload.withUnsafeBytes({ Self.equal($0, payload) })
            else { continue }
            hits &+= 1
            lastUsed[set] = UInt8(way)
            return entries[index].facts
        }
        return nil
    }

    /// Holds what decoding `payload` from `sender` gave, replacing the less recently used entry of its set.
    mutating func store(sender: MACAddress, payload: UnsafeRawBufferPointer, facts: [Fact]) {
        guard payload.count <= Self.maximumPayload, facts.count <= FrameDecoder.maximumObservationsPerFrame else {
            return
        }
        if entries.isEmpty {
            entries = Array(repeating: Entry(), count: Self.slotCount)
            lastUsed = Array(repeating: 0, count: Self.slotCount / 2)
        }
        let set = Self.setIndex(sender: sender, payload: payload)
        let way = 1 - Int(lastUsed[set])
        lastUsed[set] = UInt8(way)
        let slot = 2 * set + way
        entries[slot].sender = sender.rawValue
        entries[slot].payload.removeAll(keepingCapacity: true)
        entries[slot].payload.append(contentsOf: payload)
        entries[slot].facts = facts
    }

    /// Byte equality of two buffers of the same length, eight bytes at a time.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let count = a.count
        var offset = 0
        while offset + 8 <= count {
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < count {
            if a[offset] != b[offset] { return false }
            offset += 1
        }
        return true
    }
}
