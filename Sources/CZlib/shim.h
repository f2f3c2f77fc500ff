#ifndef LANSCOPE_CZLIB_SHIM_H
#define LANSCOPE_CZLIB_SHIM_H
#include <zlib.h>
/* deflateInit2 and inflateInit2 are macros; wrap them so Swift can call them.
   windowBits 15 + 16 selects the gzip wrapper (RFC 1952) instead of zlib's own. */
static inline int lanscope_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int lanscope_inflate_init_gzip(z_streamp strm) {
    return inflateInit2(strm, 15 + 16);
}
#endif
