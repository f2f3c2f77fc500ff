#ifndef LANSCOPE_CZLIB_SHIM_H
#define LANSCOPE_CZLIB_SHIM_H
#include <zlib.h>
/* deflateInit2 is a macro; wrap it so Swift can call it. */
static inline int lanscope_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
