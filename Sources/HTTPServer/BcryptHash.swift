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
        let data = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<crypt_data>.size,
            alignment: MemoryLayout<crypt_data>.alignment)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        let computed: [UInt8]? = (password + [0]).withUnsafeBufferPointer { passwordBytes in
            passwordBytes.withMemoryRebound(to: CChar.self) { passwordC in
                hash.withCString { hashC in
                    guard
                        let output = crypt_r(
                            passwordC.baseAddress, hashC, data.assumingMemoryBound(to: crypt_data.self))
                    else { return nil }
                    return Array(
                        UnsafeBufferPointer(
                            start: UnsafeRawPointer(output).assumingMemoryBound(to: UInt8.self),
                            count: strlen(output)))
                }
            }
        }
        // libxcrypt signals failure with a string starting with "*".
        guard let computed, computed.first != UInt8(ascii: "*") else { return false }
        return ConstantTime.equals(computed, Array(hash.utf8))
    }
}
