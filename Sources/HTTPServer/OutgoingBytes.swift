import Glibc

/// A response on its way out: the head the server wrote and the handler's body, kept apart so a
/// multi-megabyte body (a 10,000-device `/metrics`) is never copied behind its head. Sent with one
/// `sendmsg` of two iovecs from any offset.
struct OutgoingBytes: Sendable {
    var head: [UInt8]
    var body: [UInt8]

    static let empty = OutgoingBytes(head: [], body: [])

    var count: Int { head.count + body.count }
    var isEmpty: Bool { head.isEmpty && body.isEmpty }

    /// Both parts joined (tests, and the few callers that want one buffer).
    var joined: [UInt8] { head + body }

    /// Sends from `offset` on; returns the bytes the kernel took, or -1 with `errno` set.
    func send(fd: Int32, from offset: Int, flags: Int32) -> Int {
        head.withUnsafeBytes { head in
            body.withUnsafeBytes { body in
                var vectors = [iovec](repeating: iovec(), count: 2)
                var count = 0
                if offset < head.count {
                    vectors[count] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress! + offset),
                        iov_len: head.count - offset)
                    count += 1
                }
                let bodyOffset = max(0, offset - head.count)
                if bodyOffset < body.count {
                    vectors[count] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress! + bodyOffset),
                        iov_len: body.count - bodyOffset)
                    count += 1
                }
                if count == 0 { return 0 }
                return vectors.withUnsafeMutableBufferPointer { iov in
                    var message = msghdr()
                    message.msg_iov = iov.baseAddress
                    message.msg_iovlen = count
                    return Glibc.sendmsg(fd, &message, flags)
                }
            }
        }
    }
}
