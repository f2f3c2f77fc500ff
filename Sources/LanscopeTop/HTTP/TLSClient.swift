internal import CTLS

#if canImport(Glibc)
    import Glibc
#endif

/// The certificates `lanscope top` uses for an `https://` `--url`.
public struct TLSClientOptions: Sendable, Equatable {
    /// PEM CA certificate(s) the server's chain must lead to (default nil: the system's trust store).
    public var caFile: String?
    /// PEM client certificate, for a server whose web config asks for one (`client_auth_type`); default nil.
    public var certificateFile: String?
    /// PEM private key of `certificateFile` (default nil).
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// One OpenSSL client context: TLS 1.2 or newer, the server's chain verified against `caFile` (or the
/// system's trust store), and a client certificate when given. Built once per `APIClient`, on its first
/// https connection; each connection gets its own `TLSClientSession`.
final class TLSClientContext {
    let context: OpaquePointer

    init(_ options: TLSClientOptions) throws(TopError) {
        for (flag, path) in [
            ("--ca-file", options.caFile), ("--client-cert", options.certificateFile),
            ("--client-key", options.keyFile),
        ] {
            if let path, access(path, R_OK) != 0 {
                throw .connection("cannot read \(flag) \(path): \(String(cString: strerror(errno)))")
            }
        }
        guard (options.certificateFile == nil) == (options.keyFile == nil) else {
            throw .connection("--client-cert and --client-key go together")
        }
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .connection("OpenSSL: \(Self.lastError())")
        }
        self.context = context
        _ = ls_tls_set_min_version(context, ls_tls_version_tls12())
        SSL_CTX_set_options(context, ls_tls_client_options())
        if let ca = options.caFile {
            guard SSL_CTX_load_verify_locations(context, ca, nil) == 1 else {
                throw .connection("--ca-file \(ca): no usable PEM CA certificate (\(Self.lastError()))")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw .connection("the system's trust store could not be loaded (\(Self.lastError())); pass --ca-file")
            }
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let certificate = options.certificateFile, let key = options.keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw .connection("--client-cert \(certificate): no usable PEM certificate (\(Self.lastError()))")
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1,
                SSL_CTX_check_private_key(context) == 1
            else {
                throw .connection("--client-key \(key): not the key of --client-cert (\(Self.lastError()))")
            }
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The newest OpenSSL error as text, emptying the queue.
    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ls_tls_last_error(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "unknown error" : text
    }
}

/// TLS over one connected, blocking socket whose send and receive timeouts are set: the handshake verifies
/// the server's chain and that it names `host` (DNS name or IP address, RFC 6125), then reads and writes
/// go through OpenSSL. Owns the `SSL`, not the socket.
final class TLSClientSession {
    private let ssl: OpaquePointer

    init(socket: Int32, host: String, port: UInt16, context: TLSClientContext) throws(TopError) {
        // OpenSSL writes with plain `write`: a server that hangs up must fail the write (EPIPE), not raise
        // SIGPIPE in whatever process uses this client (`top` ignores it too; tests and other hosts may not).
        signal(SIGPIPE, SIG_IGN)
        guard let ssl = SSL_new(context.context) else { throw .connection("OpenSSL: \(TLSClientContext.lastError())") }
        self.ssl = ssl
        let where_ = "TLS with \(host):\(port)"
        if Self.isAddressLiteral(host) {
            // An address is checked against the certificate's IP entries; SNI carries names only (RFC 6066 §3).
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw .connection("\(where_): bad address")
            }
        } else {
            guard SSL_set1_host(ssl, host) == 1, ls_tls_set_server_name(ssl, host) == 1 else {
                throw .connection("\(where_): bad host name")
            }
        }
        guard SSL_set_fd(ssl, socket) == 1 else { throw .connection("\(where_): \(TLSClientContext.lastError())") }
        ERR_clear_error()
        errno = 0
        let status = SSL_connect(ssl)
        guard status == 1 else {
            let verify = SSL_get_verify_result(ssl)
            if verify != Int(X509_V_OK) {
                let why = String(cString: X509_verify_cert_error_string(verify))
                ERR_clear_error()
                throw .connection(
                    "\(where_): the server's certificate was refused: \(why) (--ca-file names the CA to trust)")
            }
            throw .connection("\(where_): handshake failed: \(failure(status))")
        }
    }

    deinit { SSL_free(ssl) }

    /// Writes some of `count` bytes; returns how many.
    func write(_ bytes: UnsafeRawPointer, _ count: Int) throws(TopError) -> Int {
        ERR_clear_error()
        errno = 0
        let n = SSL_write(ssl, bytes, Int32(min(count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        throw .connection("TLS send: \(failure(n))")
    }

    /// Reads up to `count` bytes; 0 at the end of the stream.
    func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws(TopError) -> Int {
        ERR_clear_error()
        errno = 0
        let n = SSL_read(ssl, buffer, Int32(min(count, Int(Int32.max))))
        if n > 0 { return Int(n) }
        if SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN { return 0 }
        throw .connection("TLS receive: \(failure(n))")
    }

    /// Why a call that returned `status` failed, in words.
    private func failure(_ status: Int32) -> String {
        let code = SSL_get_error(ssl, status)
        let savedErrno = errno
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return "timed out waiting for the server"
        case SSL_ERROR_SYSCALL where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK:
            return "timed out waiting for the server"
        case SSL_ERROR_SYSCALL where savedErrno != 0:
            return String(cString: strerror(savedErrno))
        case SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN:
            return "the server closed the connection"
        default:
            return TLSClientContext.lastError()
        }
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
