/// Bytes held by responses waiting to be sent, over all connections. A body several responses share (one
/// rendered scrape sent to many clients) is one buffer and is counted once, by its storage address;
/// heads are per response. Owned by the event-loop thread.
struct ResponseMemoryBudget {
    let limit: Int
    private(set) var total = 0
    /// Shared body buffers by storage address: their size and how many pending responses hold them.
    private var bodies: [UnsafeRawPointer: (bytes: Int, holders: Int)] = [:]

    init(limit: Int) { self.limit = limit }

    var isOverLimit: Bool { total > limit }

    /// Counts `bytes` as held until ``release(_:)`` is called with the same value. The caller must keep
    /// `bytes` alive in between: the body's storage address is its identity.
    mutating func charge(_ bytes: OutgoingBytes) {
        total += bytes.head.count
        guard let key = Self.identity(of: bytes.body) else { return }
        if let entry = bodies[key] {
            bodies[key] = (entry.bytes, entry.holders + 1)
        } else {
            bodies[key] = (bytes.body.count, 1)
            total += bytes.body.count
        }
    }

    mutating func release(_ bytes: OutgoingBytes) {
        total -= bytes.head.count
        guard let key = Self.identity(of: bytes.body), let entry = bodies[key] else { return }
        if entry.holders > 1 {
            bodies[key] = (entry.bytes, entry.holders - 1)
        } else {
            bodies[key] = nil
            total -= entry.bytes
        }
    }

    private static func identity(of body: [UInt8]) -> UnsafeRawPointer? {
        guard !body.isEmpty else { return nil }
        return body.withUnsafeBytes { $0.baseAddress }
    }
}
