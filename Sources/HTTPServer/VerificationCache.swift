import Platform
import Synchronization

/// Remembers successful bcrypt verifications (bcrypt is deliberately slow) under a keyed hash of the
/// credentials, so repeated scrapes stay cheap. Bounded: cleared when full.
final class VerificationCache: Sendable {
    struct Key: Hashable, Sendable {
        let first: Int
        let second: Int

        /// Two independently prefixed SipHash values (Swift's `Hasher` is seeded randomly per process).
        init(user: String, password: [UInt8], hash: String) {
            var a = Hasher()
            a.combine(0xA5 as UInt8)
            a.combine(user)
            a.combine(password)
            a.combine(hash)
            var b = Hasher()
            b.combine(0x5A as UInt8)
            b.combine(hash)
            b.combine(password)
            b.combine(user)
            first = a.finalize()
            second = b.finalize()
        }
    }

    private let capacity: Int
    private let entries = Mutex(Set<Key>())

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ key: Key) -> Bool { entries.withLock { $0.contains(key) } }

    func insert(_ key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries.insert(key)
        }
    }
}
