import Glibc

/// Identifies a capture file by content, so replaying the same file twice (under any name) stores
/// its traffic once: FNV-1a 64 over the file size and its first 64 KiB, plus what the replay saw
/// (packet count, first and last timestamps). An identifier, not a security hash.
enum CaptureFingerprint {
    static func key(path: String, packets: Int, firstNanos: Int64, lastNanos: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        func mix64(_ v: UInt64) { for i in 0..<8 { mix(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        var info = stat()
        if stat(path, &info) == 0 { mix64(UInt64(info.st_size)) }
        if let fp = fopen(path, "rb") {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = fread(&buffer, 1, buffer.count, fp)
            fclose(fp)
            for i in 0..<n { mix(buffer[i]) }
        }
        mix64(UInt64(packets))
        mix64(UInt64(bitPattern: firstNanos))
        mix64(UInt64(bitPattern: lastNanos))
        let hex = String(hash, radix: 16)
        return "file:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
