/* lanscope kernel <-> userspace ABI: the one header shared by the BPF programs in bpf/ and Swift (module LanscopeABI).
 *
 * Fixed-width __u8/__u16/__u32/__u64 fields only, every struct padded explicitly so the BPF target,
 * x86_64 and arm64 agree on the layout; the _Static_asserts below and the Swift MemoryLayout tests
 * pin the same numbers. Any layout change bumps LS_ABI_VERSION.
 */
#ifndef LANSCOPE_ABI_H
#define LANSCOPE_ABI_H
#include <linux/types.h>

#define LS_ABI_VERSION 4

/* Object names. The kernel keeps 15 characters of a map or program name (BPF_OBJ_NAME_LEN 16). */
#define LS_MAP_DEVICES "ls_devices"       /* mmapable array of ls_device_slot, one stripe per CPU, open addressing by MAC */
#define LS_MAP_EVENTS "ls_events"         /* perf event array: ls_event_header + frame bytes */
#define LS_MAP_DROPS "ls_drops"           /* per-CPU array: enum ls_drop_reason -> __u64 */
#define LS_MAP_SYN_TOKENS "ls_syn_tokens" /* LRU hash: ls_device_key -> ls_token_bucket (TCP SYNs, SYN-ACKs) */
#define LS_MAP_DNS_TOKENS "ls_dns_tokens" /* LRU hash: ls_device_key -> ls_token_bucket (DNS queries) */
#define LS_MAP_PAYLOAD_TOKENS "ls_app_tokens" /* LRU hash: ls_device_key -> ls_token_bucket (ClientHello/HTTP) */
#define LS_MAP_CLOCK "ls_clock"           /* per-CPU array, 1 entry: ls_clock_cache */
#define LS_PROG_XDP "ls_xdp_ingress"      /* XDP, ingress of the LAN interface */
#define LS_PROG_TC "ls_tc_egress"         /* TC clsact, egress of the LAN interface */
#define LS_PROG_XDP_PASS "ls_xdp_pass"    /* returns XDP_PASS and nothing else: benchmark floor */
#define LS_CONFIG_SECTION ".rodata.config" /* holds `struct ls_config ls_config` alone */

/* The TC filter lanscope owns on clsact egress: fixed so a restart can find and replace it. */
#define LS_TC_HANDLE 0x15c0
#define LS_TC_PRIORITY 0xc15

/* Largest snap length the programs accept; longer configured values are clamped to this. */
#define LS_SNAP_MAX 4096
#define LS_SNAP_DEFAULT 1600

enum ls_direction {
    LS_DIR_TRANSMITTED = 0, /* frames the device sent (its MAC as source) */
    LS_DIR_RECEIVED = 1,    /* frames addressed to the device (its MAC as destination) */
    LS_DIR_COUNT = 2,
};

enum ls_family {
    LS_FAMILY_IPV4 = 0,
    LS_FAMILY_IPV6 = 1,
    LS_FAMILY_OTHER = 2,
    LS_FAMILY_COUNT = 3,
};

enum ls_l4 {
    LS_L4_TCP = 0,
    LS_L4_UDP = 1,
    LS_L4_ICMP = 2, /* ICMP and ICMPv6 */
    LS_L4_OTHER = 3,
    LS_L4_COUNT = 4,
};

#define LS_CELL_COUNT (LS_DIR_COUNT * LS_FAMILY_COUNT * LS_L4_COUNT)
#define LS_CELL(dir, family, l4) (((dir) * LS_FAMILY_COUNT + (family)) * LS_L4_COUNT + (l4))

/* Where a handed-up frame was seen. */
enum ls_capture_point {
    LS_CAPTURE_INGRESS = 0, /* XDP */
    LS_CAPTURE_EGRESS = 1,  /* TC clsact egress */
};

/* Indexes of LS_MAP_DROPS: every frame or count the kernel side could not deliver. */
enum ls_drop_reason {
    LS_DROP_MAP_FULL = 0,     /* device map had no room for a new MAC */
    LS_DROP_BUFFER_FULL = 1,  /* perf buffer output failed (full, or no reader on that CPU) */
    LS_DROP_TRUNCATED = 2,    /* a handed-up frame was cut at the snap length (delivered, shortened) */
    LS_DROP_RATE_LIMITED = 3, /* a TCP SYN or SYN-ACK not handed up: its sender's token bucket was empty */
    LS_DROP_MALFORMED = 4,    /* frame too short for the headers it announces; counted by MAC if possible */
    LS_DROP_DNS_RATE_LIMITED = 5,     /* a DNS query not handed up: its sender's DNS bucket was empty */
    LS_DROP_PAYLOAD_RATE_LIMITED = 6, /* a ClientHello/HTTP request segment not handed up: bucket empty */
    LS_DROP_REASON_COUNT = 7,
};

struct ls_device_key {
    __u8 mac[6];
    __u8 pad[2]; /* always zero */
};

/* One CPU's view of one device. Cells indexed by LS_CELL(direction, family, l4). */
struct ls_device_counters {
    __u64 packets[LS_CELL_COUNT];
    __u64 bytes[LS_CELL_COUNT];
    __u64 last_seen_ns; /* CLOCK_MONOTONIC at tick resolution (ls_clock_cache), converted to wall time in userspace */
};

/* One slot of the device table: the device key (ls_device_key as a __u64; 0 = free) and its counters.
 * The table is an array of slot_count slots per CPU, CPU-major (element cpu × slot_count + slot), written
 * only by programs on that CPU: an array because its lookups are inlined by the verifier, which halves
 * the per-packet cost against a per-CPU hash; striped by hand rather than BPF_MAP_TYPE_PERCPU_ARRAY
 * because a plain array can be mmapped, so a scrape reads it in place (see ARCHITECTURE.md). Each CPU
 * claims slots independently, so one MAC may sit in different slots on different CPUs; userspace sums
 * by key. */
struct ls_device_slot {
    __u64 key;
    struct ls_device_counters counters;
};

/* Slots probed (linearly, from the MAC's seeded hash) before a new device counts as map_full. With
 * 1.5 slots per device of capacity a full table has load 0.67: a device already in the table is found
 * in ~2 probes on average, and a new one finds a free slot within 64 for all but ~1 in 10^4 at full
 * capacity (none in simulation below 90 %). */
#define LS_SLOT_PROBES 64

/* Token bucket of one rate-limited hand-up (TCP SYNs, DNS queries, first payload segments) for one
 * source device. Tokens are stored scaled by 1e9 (token-nanoseconds). */
struct ls_token_bucket {
    __u64 tokens_scaled;
    __u64 updated_ns;
};

/* Per-CPU cache of the coarse monotonic clock, refreshed when jiffies move: reading jiffies is
 * inlined by the verifier, a clock helper call is not, and per-packet last-seen needs no better
 * than tick resolution. */
struct ls_clock_cache {
    __u64 jiffies;
    __u64 monotonic_ns;
};

/* Prepended to each handed-up frame in the perf buffer; cap_len frame bytes follow. */
struct ls_event_header {
    __u64 timestamp_ns; /* bpf_ktime_get_ns() */
    __u32 ifindex;
    __u32 wire_len; /* frame length on the wire */
    __u16 cap_len;  /* bytes that follow */
    __u8 capture_point; /* enum ls_capture_point */
    __u8 abi_version;   /* LS_ABI_VERSION */
    __u32 reserved;
};

/* Load-time configuration, written by userspace into LS_CONFIG_SECTION before the verifier runs. */
struct ls_config {
    __u32 snap_len;            /* bytes handed up per frame, 1...LS_SNAP_MAX */
    __u32 syn_rate_per_sec;    /* SYN (and SYN-ACK) token refill per second and source device; 0 hands up none */
    __u32 syn_burst;           /* bucket depth */
    __u8 count_ingress_dst;    /* span mode: ingress also counts the destination MAC as received */
    __u8 pad[3];
    __u32 slot_count;          /* ls_devices max_entries */
    __u32 pad2;
    __u64 hash_seed;           /* random per load: MACs chosen to collide cannot be precomputed */
    __u32 dns_rate_per_sec;    /* DNS query (UDP to port 53) token refill per second and source device; 0 hands up none */
    __u32 dns_burst;           /* bucket depth */
    __u32 payload_rate_per_sec; /* TCP segments opening with a TLS ClientHello or an HTTP/1.x method, per second
                                 * and source device; 0 hands up none */
    __u32 payload_burst;       /* bucket depth */
};

_Static_assert(sizeof(struct ls_device_key) == 8, "ls_device_key layout");
_Static_assert(sizeof(struct ls_device_counters) == 392, "ls_device_counters layout");
_Static_assert(__builtin_offsetof(struct ls_device_counters, bytes) == 192, "ls_device_counters.bytes");
_Static_assert(__builtin_offsetof(struct ls_device_counters, last_seen_ns) == 384, "ls_device_counters.last_seen_ns");
_Static_assert(sizeof(struct ls_token_bucket) == 16, "ls_token_bucket layout");
_Static_assert(sizeof(struct ls_clock_cache) == 16, "ls_clock_cache layout");
_Static_assert(sizeof(struct ls_event_header) == 24, "ls_event_header layout");
_Static_assert(__builtin_offsetof(struct ls_event_header, ifindex) == 8, "ls_event_header.ifindex");
_Static_assert(__builtin_offsetof(struct ls_event_header, wire_len) == 12, "ls_event_header.wire_len");
_Static_assert(__builtin_offsetof(struct ls_event_header, cap_len) == 16, "ls_event_header.cap_len");
_Static_assert(__builtin_offsetof(struct ls_event_header, capture_point) == 18, "ls_event_header.capture_point");
_Static_assert(__builtin_offsetof(struct ls_event_header, abi_version) == 19, "ls_event_header.abi_version");
_Static_assert(sizeof(struct ls_device_slot) == 400, "ls_device_slot layout");
_Static_assert(__builtin_offsetof(struct ls_device_slot, counters) == 8, "ls_device_slot.counters");
_Static_assert(sizeof(struct ls_config) == 48, "ls_config layout");
_Static_assert(__builtin_offsetof(struct ls_config, dns_rate_per_sec) == 32, "ls_config.dns_rate_per_sec");
_Static_assert(__builtin_offsetof(struct ls_config, dns_burst) == 36, "ls_config.dns_burst");
_Static_assert(__builtin_offsetof(struct ls_config, payload_rate_per_sec) == 40, "ls_config.payload_rate_per_sec");
_Static_assert(__builtin_offsetof(struct ls_config, payload_burst) == 44, "ls_config.payload_burst");
_Static_assert(__builtin_offsetof(struct ls_config, hash_seed) == 24, "ls_config.hash_seed");
_Static_assert(__builtin_offsetof(struct ls_config, slot_count) == 16, "ls_config.slot_count");
_Static_assert(__builtin_offsetof(struct ls_config, count_ingress_dst) == 12, "ls_config.count_ingress_dst");

#endif
