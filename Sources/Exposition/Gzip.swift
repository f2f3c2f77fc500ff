import CZlib

/// gzip (RFC 1952) through zlib, for `Content-Encoding: gzip` responses.
public enum Gzip {
    /// zlib compression level 1 (fastest) ... 9 (smallest). Default 6 balances the two.
    public static let defaultLevel: Int32 = 6

    /// `bytes` as one gzip member.
    public static func compress(_ bytes: [UInt8], level: Int32 = defaultLevel) throws(GzipError) -> [UInt8] {
        guard (0...9).contains(level) else { throw .invalidLevel(level) }
        guard bytes.count <= Int(UInt32.max) else { throw .inputTooLarge(bytes.count) }
        var stream = z_stream()
        let initStatus = lanscope_deflate_init_gzip(&stream, level)
        guard initStatus == Z_OK else { throw .zlib(operation: "deflateInit2", status: initStatus) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound guarantees one Z_FINISH call completes (zlib.h, deflateBound).
        guard status == Z_STREAM_END else { throw .zlib(operation: "deflate", status: status) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// The content of a gzip stream, refusing to produce more than `maxOutput` bytes.
    ///
    /// - Parameter maxOutput: cap on the decompressed size in bytes. Default 64 MiB.
    public static func decompress(_ bytes: [UInt8], maxOutput: Int = 64 << 20) throws(GzipError) -> [UInt8] {
        guard bytes.count <= Int(UInt32.max) else { throw .inputTooLarge(bytes.count) }
        var stream = z_stream()
        let initStatus = lanscope_inflate_init_gzip(&stream)
        guard initStatus == Z_OK else { throw .zlib(operation: "inflateInit2", status: initStatus) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let result: GzipError? = bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= maxOutput else { return .outputTooLarge(maxOutput) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return nil
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0: return .truncated
                default: return .zlib(operation: "inflate", status: status)
                }
            }
        }
        if let result { throw result }
        return output
    }
}
