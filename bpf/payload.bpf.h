/* Payload peeks for the lanscope BPF programs: is a UDP/53 datagram a DNS query, does a TCP segment
 * open a TLS ClientHello or an HTTP/1.x request. A few bytes each, every read bounds-checked against
 * data_end, so only what sits in the linear part of the frame is looked at (headers always do; a
 * segment whose first payload bytes lie in a fragment is simply not recognised). The first-byte test runs
 * while parsing (parse.bpf.h); the full peeks only after the frame has been counted, and only for frames
 * that can match. */
#ifndef LANSCOPE_PAYLOAD_BPF_H
#define LANSCOPE_PAYLOAD_BPF_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* DNS header (RFC 1035 section 4.1.1): 12 bytes; QR, the top bit of byte 2, is 0 in a query. Any
 * opcode counts (an UPDATE, RFC 2136, names the device too). `payload` is the UDP payload. */
static __always_inline int ls_is_dns_query(void *payload, void *data_end)
{
    __u8 *dns = payload;
    if ((void *)(dns + 12) > data_end)
        return 0;
    return !(dns[2] & 0x80);
}

/* The longest Ubiquiti discovery message handed up, header included; the userspace decoder applies the
 * same bound (UbiquitiDiscoveryMessage.maximumLength). Announcements are a few hundred bytes. */
#define LS_UBNT_MAX_LENGTH 4096

/* Ubiquiti discovery (UDP 10001; no published specification, the layout devices send): a 4-byte header,
 * version 1 or 2, a command byte and the big-endian length of the TLVs that follow, which must lie
 * within the frame. A request is 01 00 00 00. Media streams and other tools on the port fail this. */
static __always_inline int ls_is_ubnt_message(void *payload, void *data_end)
{
    __u8 *h = payload;
    if ((void *)(h + 4) > data_end)
        return 0;
    if (h[0] != 1 && h[0] != 2)
        return 0;
    __u32 length = 4 + (((__u32)h[2] << 8) | h[3]);
    if (length > LS_UBNT_MAX_LENGTH)
        return 0;
    return (void *)h + length <= data_end;
}

#define LS_WORD(a, b, c, d) (((__u32)(a) << 24) | ((__u32)(b) << 16) | ((__u32)(c) << 8) | (__u32)(d))
/* First letters of the recognised methods (C D G H O P) as bits over 'A'...'Z'. */
#define LS_METHOD_INITIALS \
    ((1u << ('C' - 'A')) | (1u << ('D' - 'A')) | (1u << ('G' - 'A')) | (1u << ('H' - 'A')) | (1u << ('O' - 'A')) | \
     (1u << ('P' - 'A')))

/* Whether a TCP payload's first byte may start a TLS ClientHello (0x16) or one of the methods below. */
static __always_inline int ls_may_open_request(__u8 first)
{
    __u32 initial = (__u32)first - 'A';
    return first == 0x16 || (initial < 26 && ((LS_METHOD_INITIALS >> initial) & 1));
}

/* Whether a TCP segment's payload starts a TLS ClientHello or an HTTP/1.x request:
 * - TLS (RFC 8446 section 5.1, RFC 5246 section 6.2.1): record type 22 (handshake), legacy version
 *   major 3, then after the 2-byte record length the handshake type, 1 = ClientHello (section 4);
 * - HTTP/1.x (RFC 9112 section 3): the request line begins with a method token; the first four bytes
 *   of GET, POST, HEAD, PUT, OPTIONS, DELETE, PATCH, CONNECT.
 * The first byte alone rules out almost every other segment: callers check ls_may_open_request first. */
static __always_inline int ls_opens_request(void *payload, void *data_end)
{
    __u8 *b = payload;
    if ((void *)(b + 4) > data_end)
        return 0;
    __u8 first = b[0];
    if (first == 0x16) {
        if ((void *)(b + 6) > data_end)
            return 0;
        return b[1] == 3 && b[5] == 1;
    }
    switch (LS_WORD(first, b[1], b[2], b[3])) {
    case LS_WORD('G', 'E', 'T', ' '):
    case LS_WORD('P', 'O', 'S', 'T'):
    case LS_WORD('H', 'E', 'A', 'D'):
    case LS_WORD('P', 'U', 'T', ' '):
    case LS_WORD('O', 'P', 'T', 'I'):
    case LS_WORD('D', 'E', 'L', 'E'):
    case LS_WORD('P', 'A', 'T', 'C'):
    case LS_WORD('C', 'O', 'N', 'N'):
        return 1;
    }
    return 0;
}

#endif
