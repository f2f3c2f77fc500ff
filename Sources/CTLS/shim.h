#ifndef LANSCOPE_CTLS_SHIM_H
#define LANSCOPE_CTLS_SHIM_H
// OpenSSL 3 (libssl-dev) for the HTTP server's TLS adapter. Several of the APIs it needs are macros over
// SSL_CTX_ctrl/SSL_ctrl, which Swift cannot call; these inline functions expose them.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/pem.h>

static inline int ls_tls_set_min_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int ls_tls_set_max_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long ls_tls_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long ls_tls_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline int ls_tls_version_tls12(void) { return TLS1_2_VERSION; }
static inline int ls_tls_version_tls13(void) { return TLS1_3_VERSION; }
static inline uint64_t ls_tls_options(void) {
    // No renegotiation (TLS 1.2; RFC 5746 attacks and a CPU lever for clients), no compression (CRIME),
    // the server's cipher order (TLS 1.3 early data stays off, OpenSSL's default).
    // An end of stream without close_notify is an ordinary end of input: HTTP frames its own messages.
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE
        | SSL_OP_IGNORE_UNEXPECTED_EOF;
}
static inline long ls_tls_modes(void) {
    // Partial writes: SSL_write returns per record, so a large response goes out as the socket takes it.
    // Moving buffer: a retried write may pass the same bytes from another address. Record buffers are
    // kept (no SSL_MODE_RELEASE_BUFFERS): freeing and reallocating ~34 KiB per keep-alive request cost
    // more than the memory, at most maxConnections × 34 KiB.
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}
static inline void ls_tls_set_read_ahead(SSL_CTX *ctx) {
    // One read(2) takes every record the socket holds instead of a header and a body read per record.
    // Safe with edge-triggered epoll because the event loop reads until WANT_READ, emptying OpenSSL's
    // buffer too, and resumes a paused read itself, not on the next readiness event.
    SSL_CTX_set_read_ahead(ctx, 1);
}
static inline long ls_tls_set_server_name(SSL *ssl, const char *name) {
    // SNI (RFC 6066 section 3): for a client naming the host it connects to.
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline uint64_t ls_tls_client_options(void) {
    // A client's: no renegotiation or compression, and an end of stream without close_notify is an ordinary
    // end of input (HTTP frames its own messages).
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF;
}
static inline void ls_tls_last_error(char *buffer, size_t size) {
    // The newest queued OpenSSL error as text (empty when none), then an empty queue for the next call.
    unsigned long code = ERR_peek_last_error();
    if (size > 0) buffer[0] = 0;
    if (code != 0 && size > 0) ERR_error_string_n(code, buffer, size);
    ERR_clear_error();
}
#endif
