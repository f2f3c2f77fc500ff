import CCrypt
#if canImport(Glibc)
import Glibc
#endif

/// bcrypt verification through the system's libxcrypt `crypt_r`; we never implement or emit hashes ourselves.
enum BcryptHash {
    static func isBcrypt(_ hash: String) -> Bool {
        hash.hasPrefix("$2y$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$")
    }

    static func verify(password: [UInt8], hash: String) -> Bool {
        // crypt_r takes C strings; a NUL would silently truncate the password.
        guard !password.contains(0), isBcrypt(hash) else { return false }
        // struct crypt_data is tens of KiB: keep it off the (small) thread stack. Zeroed as crypt_r requires.
        let data = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<crypt_data>.size,
                                                    alignment: MemoryLayout<crypt_data>.alignment)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        let computed: [UInt8]? = (password + [0]).withUnsafeBufferPointer { passwordBytes in
            passwordBytes.withMemoryRebound(to: CChar.self) { passwordC in
                hash.withCString { hashC in
                    guard let output = crypt_r(passwordC.baseAddress, hashC, data.assumingMemoryBound(to: crypt_data.self))
                    else { return nil }
                    return Array(UnsafeBufferPointer(start: UnsafeRawPointer(output).assumingMemoryBound(to: UInt8.self),
                                                     count: strlen(output)))
                }
            }
        }
        // libxcrypt signals failure with a string starting with "*".
        guard let computed, computed.first != UInt8(ascii: "*") else { return false }
        return ConstantTime.equals(computed, Array(hash.utf8))
    }
}

/// Comparison whose duration depends only on the lengths, not on where the inputs differ.
enum ConstantTime {
    static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { difference |= 1 }
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Standard base64 (RFC 4648 §4) decoding for Basic credentials; padding optional, anything else invalid.
enum Base64 {
    static func decode(_ input: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for byte in input {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard padding <= 2, bits < 6 else { return nil }
        return output
    }
}

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
    private let entries = Locked(Set<Key>())

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ key: Key) -> Bool { entries.withLock { $0.contains(key) } }

    func insert(_ key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries.insert(key)
        }
    }
}
