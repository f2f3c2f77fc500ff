internal import CTLS

#if canImport(Glibc)
    import Glibc
#endif

/// One server-side TLS connection over a non-blocking socket (`SSL_set_fd`): OpenSSL reads and writes
/// the descriptor itself and reports when it would block, which the event loop maps onto epoll interest —
/// a handshake or read that needs to *write* waits for `EPOLLOUT`, a write that needs to *read* for `EPOLLIN`.
/// Used by the event-loop thread only (an `SSL` is not safe to share between threads). Visible to the TLS
/// fuzz target through `@_spi(Fuzzing)`; not public API.
@_spi(Fuzzing) public final class TLSSession {
    public enum Outcome: Equatable {
        /// Bytes moved (0 for a finished handshake).
        case bytes(Int)
        /// The socket has nothing more to read now.
        case wantRead
        /// The socket takes nothing more now.
        case wantWrite
        /// The peer closed (close_notify or end of stream).
        case closed
        case failed(String)
    }

    private let ssl: OpaquePointer
    public private(set) var established = false
    /// The last handshake or read stopped because the socket was full: retry it when writable.
    private(set) var readWaitsForWritable = false
    /// The last write stopped because OpenSSL needed input first: retry it when readable.
    private(set) var writeWaitsForReadable = false

    /// Nil when OpenSSL cannot allocate the connection.
    public init?(context: TLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_accept_state(ssl)
        self.ssl = ssl
    }

    deinit { SSL_free(ssl) }

    public func handshake() -> Outcome {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            established = true
            readWaitsForWritable = false
            return .bytes(0)
        }
        let outcome = outcome(of: result)
        readWaitsForWritable = outcome == .wantWrite
        return outcome
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        let outcome = result > 0 ? .bytes(Int(result)) : outcome(of: result)
        readWaitsForWritable = outcome == .wantWrite
        return outcome
    }

    public func write(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        ERR_clear_error()
        let result = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        let outcome = result > 0 ? .bytes(Int(result)) : outcome(of: result)
        writeWaitsForReadable = outcome == .wantRead
        return outcome
    }

    /// Sends close_notify once, without waiting for the peer's (RFC 8446 §6.1 allows closing after it).
    func sendCloseNotify() {
        guard established else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func outcome(of result: Int32) -> Outcome {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let error = errno
            return error == 0 ? .closed : .failed(String(cString: strerror(error)))
        default:
            return .failed(TLSContext.lastError())
        }
    }
}
