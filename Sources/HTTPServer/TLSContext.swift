internal import CTLS

#if canImport(Glibc)
    import Glibc
#endif

/// One OpenSSL server context built from a ``TLSServerConfiguration``: certificate chain, key, client-CA
/// list, verification mode, protocol versions and options. Immutable once built; a reload builds a new one
/// and connections already open keep the one they started with (OpenSSL counts the references).
/// Visible to the TLS fuzz target through `@_spi(Fuzzing)`; not public API.
@_spi(Fuzzing) public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    public init(_ configuration: TLSServerConfiguration) throws(TLSConfigurationError) {
        let origin = configuration.source.isEmpty ? "" : configuration.source + ": "
        func fail(_ key: TLSKey, _ what: String) -> TLSConfigurationError {
            TLSConfigurationError("\(origin)tls_server_config.\(key.rawValue): \(what)")
        }
        try Self.checkReadable(configuration.certFile) { fail(.certFile, $0) }
        try Self.checkReadable(configuration.keyFile) { fail(.keyFile, $0) }
        var status = stat()
        if stat(configuration.keyFile, &status) == 0, status.st_mode & 0o044 != 0 {
            throw fail(
                .keyFile,
                "\(configuration.keyFile) is readable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it"
            )
        }
        if let ca = configuration.clientCAFile { try Self.checkReadable(ca) { fail(.clientCAFile, $0) } }

        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSConfigurationError("\(origin)OpenSSL: \(Self.lastError())")
        }
        self.context = context
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certFile) == 1 else {
            throw fail(.certFile, "\(configuration.certFile): no usable PEM certificate (\(Self.lastError()))")
        }
        guard let key = Self.readPrivateKey(configuration.keyFile) else {
            throw fail(.keyFile, "\(configuration.keyFile): no usable PEM private key (\(Self.lastError()))")
        }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            ERR_clear_error()
            throw fail(.keyFile, "\(configuration.keyFile) does not match cert_file \(configuration.certFile)")
        }
        if let ca = configuration.clientCAFile {
            guard SSL_CTX_load_verify_locations(context, ca, nil) == 1, let names = SSL_load_client_CA_file(ca) else {
                throw fail(.clientCAFile, "\(ca): no usable PEM CA certificate (\(Self.lastError()))")
            }
            SSL_CTX_set_client_CA_list(context, names)
        }
        let mode = configuration.clientAuth
        var verify: Int32 = SSL_VERIFY_NONE
        if mode != .noClientCert { verify = SSL_VERIFY_PEER }
        if mode.requiresCertificate { verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
        // Request/RequireAny ask for a certificate without judging it (as Go's crypto/tls does): every
        // chain is accepted by the callback.
        SSL_CTX_set_verify(context, verify, mode.verifies || mode == .noClientCert ? nil : { _, _ in 1 })
        // Session resumption with client certificates needs a context id (else OpenSSL refuses resumption).
        let sessionContext: [UInt8] = Array("lanscope".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        _ = ls_tls_set_min_version(context, Self.protocolVersion(configuration.minVersion))
        _ = ls_tls_set_max_version(context, Self.protocolVersion(configuration.maxVersion))
        _ = SSL_CTX_set_options(context, ls_tls_options())
        _ = ls_tls_set_mode(context, ls_tls_modes())
        ls_tls_set_read_ahead(context)
    }

    deinit { SSL_CTX_free(context) }

    private static func protocolVersion(_ version: TLSServerConfiguration.Version) -> Int32 {
        version == .tls12 ? ls_tls_version_tls12() : ls_tls_version_tls13()
    }

    private static func checkReadable(
        _ path: String, _ fail: (String) -> TLSConfigurationError
    ) throws(TLSConfigurationError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot read \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }

    private static func readPrivateKey(_ path: String) -> OpaquePointer? {
        guard let bio = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(bio) }
        return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
    }

    /// OpenSSL's most recent error as text (its error queue is per thread), then clears the queue.
    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ls_tls_last_error(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "unknown error" : text
    }
}
