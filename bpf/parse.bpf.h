/* Frame parsing for the lanscope BPF programs: Ethernet, 802.1Q/802.1ad, IPv4, IPv6 with a bounded
 * extension-header walk, TCP/UDP/ICMP/ICMPv6 — just enough to classify a frame for counting and to
 * decide whether it is a discovery frame userspace wants whole. Reads only [data, data_end); payload
 * bytes are looked at later, after counting (payload.bpf.h). */
#ifndef LANSCOPE_PARSE_BPF_H
#define LANSCOPE_PARSE_BPF_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lanscope_abi.h"
#include "payload.bpf.h"

/* Up to two VLAN tags: QinQ (802.1ad outer 0x88A8 or 0x8100, 802.1Q inner). */
#define LS_VLAN_MAX 2
/* Extension headers walked before giving up on finding the transport header. Real traffic
 * rarely carries more than two or three (RFC 8200 section 4.1 ordering). */
#define LS_IPV6_EXT_MAX 6

struct ls_vlan_hdr {
    __be16 tci;
    __be16 encapsulated_proto;
};

/* What userspace may want of a frame, decided while its headers are at hand, so that after counting
 * an ordinary frame (LS_WANT_NOTHING, nearly all of them) pays one test. */
enum ls_want {
    LS_WANT_NOTHING = 0,
    LS_WANT_DISCOVERY = 1, /* hand the frame to userspace whole */
    LS_WANT_SYN = 2,       /* TCP SYN, or SYN+ACK (the sender accepts connections on that port): handed up
                            * subject to the sender's rate limit */
    LS_WANT_DNS = 3,       /* UDP to port 53, first fragment: a DNS query if its header says so (payload.bpf.h) */
    LS_WANT_REQUEST = 4,   /* TCP payload whose first byte may open a ClientHello or a request method */
    LS_WANT_UBNT = 5,      /* UDP to or from port 10001: Ubiquiti discovery if its header says so (payload.bpf.h) */
};

struct ls_parsed {
    __u8 family;    /* enum ls_family */
    __u8 l4;        /* enum ls_l4 */
    __u8 want;      /* enum ls_want */
    __u8 malformed; /* a header announced more bytes than the frame holds */
    void *payload;  /* first byte after the TCP/UDP header (NULL when not reached): with it, a GSO
                     * packet's per-segment header bytes can be counted the way the wire sees them */
};

static __always_inline int ls_is_discovery_port(__u16 port)
{
    switch (port) {
    case 67: case 68:     /* DHCP, RFC 2131 */
    case 137:             /* NBNS, RFC 1002 */
    case 546: case 547:   /* DHCPv6, RFC 8415 */
    case 1900:            /* SSDP */
    case 5353:            /* mDNS, RFC 6762 */
    case 3702:            /* WS-Discovery (OASIS): ONVIF cameras, WSD printers */
        return 1;
    }
    return 0;
}

static __always_inline void ls_parse_l4(void *l4, void *data_end, __u8 proto, int first_fragment,
                                        struct ls_parsed *p)
{
    switch (proto) {
    case IPPROTO_TCP: {
        p->l4 = LS_L4_TCP;
        if (!first_fragment)
            return;
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > data_end) {
            p->malformed = 1;
            return;
        }
        /* A data offset below 5 words would put the "payload" inside the header (RFC 9293 section 3.1). */
        if (tcp->doff >= 5)
            p->payload = (void *)tcp + tcp->doff * 4;
        if (tcp->syn) {
            p->want = LS_WANT_SYN;
        } else if (p->payload) {
            /* The payload's first byte, if in the linear part, rules out almost every segment. */
            __u8 *first = p->payload;
            if ((void *)(first + 1) <= data_end && ls_may_open_request(*first))
                p->want = LS_WANT_REQUEST;
        }
        return;
    }
    case IPPROTO_UDP: {
        p->l4 = LS_L4_UDP;
        if (!first_fragment)
            return;
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > data_end) {
            p->malformed = 1;
            return;
        }
        if (ls_is_discovery_port(bpf_ntohs(udp->source)) || ls_is_discovery_port(bpf_ntohs(udp->dest)))
            p->want = LS_WANT_DISCOVERY;
        /* DNS, RFC 1035 section 4.2.1: queries go to port 53; replies come from it. */
        else if (udp->dest == bpf_htons(53))
            p->want = LS_WANT_DNS;
        /* Ubiquiti discovery (UniFi, airMAX, EdgeMAX announcements). The port is not Ubiquiti's (IANA:
         * scp-config) and other traffic uses it: only a datagram whose header fits is handed up. */
        else if (udp->source == bpf_htons(10001) || udp->dest == bpf_htons(10001))
            p->want = LS_WANT_UBNT;
        p->payload = udp + 1;
        return;
    }
    case IPPROTO_ICMP:
        p->l4 = LS_L4_ICMP;
        return;
    case IPPROTO_ICMPV6: {
        p->l4 = LS_L4_ICMP;
        if (!first_fragment)
            return;
        __u8 *type = l4;
        if ((void *)(type + 1) > data_end) {
            p->malformed = 1;
            return;
        }
        /* Router/neighbour solicitation and advertisement, RFC 4861 section 4. */
        if (*type >= 133 && *type <= 136)
            p->want = LS_WANT_DISCOVERY;
        return;
    }
    }
    p->l4 = LS_L4_OTHER;
}

static __always_inline void ls_parse_ipv4(void *nh, void *data_end, struct ls_parsed *p)
{
    struct iphdr *ip = nh;
    p->family = LS_FAMILY_IPV4;
    if ((void *)(ip + 1) > data_end) {
        p->malformed = 1;
        return;
    }
    __u32 header_len = ip->ihl * 4;
    if (header_len < sizeof(*ip)) {
        p->malformed = 1;
        return;
    }
    /* Ports live only in the first fragment (offset 0, RFC 791); later ones count by protocol. */
    int first_fragment = (bpf_ntohs(ip->frag_off) & 0x1FFF) == 0;
    ls_parse_l4(nh + header_len, data_end, ip->protocol, first_fragment, p);
}

struct ls_ipv6_opt_hdr {
    __u8 nexthdr;
    __u8 hdrlen;
};

struct ls_ipv6_frag_hdr {
    __u8 nexthdr;
    __u8 reserved;
    __be16 frag_off;
    __be32 identification;
};

static __always_inline void ls_parse_ipv6(void *nh, void *data_end, struct ls_parsed *p)
{
    struct ipv6hdr *ip6 = nh;
    p->family = LS_FAMILY_IPV6;
    if ((void *)(ip6 + 1) > data_end) {
        p->malformed = 1;
        return;
    }
    __u8 next = ip6->nexthdr;
    void *cursor = ip6 + 1;
    int first_fragment = 1;

#pragma unroll
    for (int i = 0; i < LS_IPV6_EXT_MAX; i++) {
        if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
            struct ls_ipv6_opt_hdr *opt = cursor;
            if ((void *)(opt + 1) > data_end) {
                p->malformed = 1;
                return;
            }
            next = opt->nexthdr;
            /* Length in 8-octet units, not counting the first 8 (RFC 8200 section 4.3). */
            cursor += (opt->hdrlen + 1) * 8;
        } else if (next == IPPROTO_FRAGMENT) {
            struct ls_ipv6_frag_hdr *frag = cursor;
            if ((void *)(frag + 1) > data_end) {
                p->malformed = 1;
                return;
            }
            next = frag->nexthdr;
            if (bpf_ntohs(frag->frag_off) & 0xFFF8)
                first_fragment = 0;
            cursor = frag + 1;
        } else {
            break;
        }
    }
    ls_parse_l4(cursor, data_end, next, first_fragment, p);
}

/* LLC/SNAP header of CDP frames: DSAP/SSAP 0xAA, UI, Cisco OUI 00:00:0c, protocol 0x2000. */
static __always_inline int ls_is_cdp(struct ethhdr *eth, void *llc, void *data_end)
{
    __u8 *d = eth->h_dest;
    __u8 *b = llc;
    if ((void *)(b + 8) > data_end)
        return 0;
    if (d[0] != 0x01 || d[1] != 0x00 || d[2] != 0x0c || d[3] != 0xcc || d[4] != 0xcc || d[5] != 0xcc)
        return 0;
    return b[0] == 0xAA && b[1] == 0xAA && b[2] == 0x03 && b[3] == 0x00 && b[4] == 0x00 && b[5] == 0x0c &&
           b[6] == 0x20 && b[7] == 0x00;
}

/* Classifies the frame. Returns 0 when not even the Ethernet header is present. */
static __always_inline int ls_parse(void *data, void *data_end, struct ls_parsed *p)
{
    struct ethhdr *eth = data;
    p->family = LS_FAMILY_OTHER;
    p->l4 = LS_L4_OTHER;
    if ((void *)(eth + 1) > data_end) {
        p->malformed = 1;
        return 0;
    }
    void *cursor = eth + 1;
    __u16 proto = bpf_ntohs(eth->h_proto);

#pragma unroll
    for (int i = 0; i < LS_VLAN_MAX; i++) {
        if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
            break;
        struct ls_vlan_hdr *vlan = cursor;
        if ((void *)(vlan + 1) > data_end) {
            p->malformed = 1;
            return 1;
        }
        proto = bpf_ntohs(vlan->encapsulated_proto);
        cursor = vlan + 1;
    }

    switch (proto) {
    case ETH_P_IP:
        ls_parse_ipv4(cursor, data_end, p);
        break;
    case ETH_P_IPV6:
        ls_parse_ipv6(cursor, data_end, p);
        break;
    case ETH_P_ARP:
    case ETH_P_LLDP:
        p->want = LS_WANT_DISCOVERY;
        break;
    default:
        /* Values below 0x0600 are 802.3 lengths: an LLC frame follows (IEEE 802.3 clause 3.2.6). */
        if (proto < ETH_P_802_3_MIN && ls_is_cdp(eth, cursor, data_end))
            p->want = LS_WANT_DISCOVERY;
        break;
    }
    return 1;
}

#endif
