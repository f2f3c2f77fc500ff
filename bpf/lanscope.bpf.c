/* lanscope kernel side: per-device traffic counters and discovery-frame hand-up for one LAN interface.
 *
 * ls_xdp_ingress (XDP) sees what the interface receives, ls_tc_egress (TC clsact) what it sends.
 * Both count every frame per device, then hand up whole: discovery frames, and rate-limited per
 * source device TCP SYNs and SYN-ACKs, DNS queries, and TCP segments opening a TLS ClientHello or HTTP
 * request.
 * Both only observe: every path returns XDP_PASS / TC_ACT_OK. Every frame or count that cannot be
 * delivered is counted in ls_drops by reason, so userspace can export all loss.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lanscope_abi.h"
#include "parse.bpf.h"
#include "payload.bpf.h"

#define LS_NSEC_PER_SEC 1000000000ULL
/* Bytes made linear for parsing when an egress skb's headers sit in page fragments: enough for
 * two VLAN tags, IPv6 with a few extension headers and a TCP header. */
#define LS_TC_PULL_MAX 256
/* Largest header length (Ethernet to TCP/UDP) for which payload is looked at: above any real frame's
 * and below the verifier's packet-offset limit. */
#define LS_HEADERS_MAX 16384

/* Written by userspace before load (struct ls_config); defaults match EBPFCapture.Configuration. */
const volatile struct ls_config ls_config SEC(".rodata.config") = {
    .snap_len = LS_SNAP_DEFAULT,
    .syn_rate_per_sec = 50,
    .syn_burst = 100,
    .count_ingress_dst = 0,
    .slot_count = 24576,
    .hash_seed = 0,
    .dns_rate_per_sec = 50,
    .dns_burst = 100,
    .payload_rate_per_sec = 50,
    .payload_burst = 100,
};

/* Device table: per-CPU slots of ls_device_slot, open addressing by MAC (up to LS_SLOT_PROBES linear
 * probes from a seeded hash, modulo the slot count). Laid out by hand in one array, CPU-major: CPU c
 * owns elements [c × slot_count, (c + 1) × slot_count), and only programs on CPU c write them, so
 * updates need no atomics. The array is mmapable: at scrape time userspace reads every CPU's stripe in
 * place, without a syscall or a copy, sums by key, and never zeroes a live entry, so counters stay
 * monotonic. max_entries (slot_count × possible CPUs, slot_count = 1.5 × the device capacity) is set
 * by userspace before load. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(map_flags, BPF_F_MMAPABLE);
    __uint(max_entries, 24576);
    __type(key, __u32);
    __type(value, struct ls_device_slot);
} ls_devices SEC(".maps");

/* Discovery frames for userspace: ls_event_header followed by the frame bytes.
 *
 * A perf event array rather than a BPF ring buffer: with BPF_F_CTXLEN_MASK the kernel itself copies
 * exactly cap_len bytes out of the packet (linear or paged skb, multi-buffer XDP) in the same call,
 * and each record takes only the space it needs. A ring buffer reservation must have a size the
 * verifier knows, so every record would reserve the full snap length and copy through a bounded
 * load-bytes call. The per-CPU buffers' downsides (no global order, a wakeup per record) matter
 * little at discovery-traffic rates, and SYNs are rate-limited before they get here. */
struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} ls_events SEC(".maps");

/* enum ls_drop_reason -> count, per CPU. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, LS_DROP_REASON_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} ls_drops SEC(".maps");

/* Source MAC -> token bucket, one map per rate-limited hand-up (TCP SYNs and SYN-ACKs, DNS queries, segments
 * opening a TLS ClientHello or HTTP request), so a device's DNS lookups never spend its SYN budget.
 * LRU so a flood of spoofed MACs evicts old buckets instead of failing; max_entries is set by
 * userspace to the device capacity. */
struct ls_token_map {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct ls_device_key);
    __type(value, struct ls_token_bucket);
};
struct ls_token_map ls_syn_tokens SEC(".maps");
struct ls_token_map ls_dns_tokens SEC(".maps");
struct ls_token_map ls_app_tokens SEC(".maps");

/* Tick-resolution clock for last-seen times; see struct ls_clock_cache. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct ls_clock_cache);
} ls_clock SEC(".maps");


static __always_inline void ls_drop(__u32 reason)
{
    __u64 *count = bpf_map_lookup_elem(&ls_drops, &reason);
    if (count)
        *count += 1;
}

/* CLOCK_MONOTONIC as of this CPU's last tick (bpf_ktime_get_coarse_ns, kernel 5.11+), at the cost of
 * one clock helper call per tick instead of one per packet. Userspace converts with CLOCK_MONOTONIC. */
static __always_inline __u64 ls_tick_time(void)
{
    __u32 zero = 0;
    __u64 jiffies = bpf_jiffies64();
    struct ls_clock_cache *cache = bpf_map_lookup_elem(&ls_clock, &zero);
    if (!cache)
        return bpf_ktime_get_coarse_ns();
    if (cache->jiffies != jiffies) {
        cache->monotonic_ns = bpf_ktime_get_coarse_ns();
        cache->jiffies = jiffies;
    }
    return cache->monotonic_ns;
}

union ls_key {
    struct ls_device_key key;
    __u64 raw;
};

/* Fills key from a MAC in the frame; returns 0 for group (I/G bit set) or all-zero addresses. */
static __always_inline int ls_device_key_from(const __u8 *mac, union ls_key *k)
{
    k->raw = 0;
    __builtin_memcpy(k->key.mac, mac, ETH_ALEN);
    return k->raw != 0 && !(k->key.mac[0] & 0x01);
}

/* The device's home slot before the modulo: the key mixed with the per-load seed by a 64-bit
 * finalizer (every input bit affects every output bit), so MACs from one vendor, numbered
 * sequentially, land like random keys. A plain multiplicative hash clustered such runs: 1.5 % of a
 * 10,000-device LAN overflowed 8 probes in a half-empty table. */
static __always_inline __u32 ls_slot_hash(__u64 key)
{
    __u64 x = key ^ ls_config.hash_seed;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (__u32)(x >> 32);
}

/* `cpu` is this CPU's stripe of the device table (bpf_get_smp_processor_id, read once per frame). */
static __always_inline void ls_count(union ls_key *k, __u32 direction, const struct ls_parsed *p, __u64 packets,
                                     __u64 bytes, __u64 now, __u32 cpu)
{
    __u32 slots = ls_config.slot_count ? ls_config.slot_count : 1;
    __u32 base = ls_slot_hash(k->raw) % slots;
    __u32 stripe = cpu * slots;
    struct ls_device_slot *slot = 0;
    for (int i = 0; i < LS_SLOT_PROBES; i++) {
        __u32 index = base + i;
        if (index >= slots)
            index -= slots;
        index += stripe;
        struct ls_device_slot *candidate = bpf_map_lookup_elem(&ls_devices, &index);
        if (!candidate)
            break;
        if (candidate->key == k->raw) {
            slot = candidate;
            break;
        }
        if (candidate->key == 0) {
            /* This CPU's stripe: no other writer can race for the slot. */
            candidate->key = k->raw;
            slot = candidate;
            break;
        }
    }
    if (!slot) {
        ls_drop(LS_DROP_MAP_FULL);
        return;
    }
    __u32 cell = LS_CELL(direction, p->family, p->l4);
    if (cell >= LS_CELL_COUNT)
        return;
    slot->counters.packets[cell] += packets;
    slot->counters.bytes[cell] += bytes;
    slot->counters.last_seen_ns = now;
}

/* Token bucket per source device (RFC 2697-style single rate): refills `rate` tokens a second up to
 * `burst`; one token per frame handed up, and a frame refused counts under `reason`. `buckets` is
 * one of the token maps above. Buckets are shared by all CPUs without locking, so simultaneous
 * frames from one MAC on two CPUs may both pass: the limit is approximate under contention, never
 * unbounded. A rate or burst of 0 hands up nothing and counts nothing (turned off, not a loss). */
static __always_inline int ls_admit(void *buckets, union ls_key *k, __u64 now, __u64 rate, __u64 burst,
                                    __u32 reason)
{
    if (rate == 0 || burst == 0)
        return 0;
    __u64 capacity = burst * LS_NSEC_PER_SEC;
    struct ls_token_bucket *b = bpf_map_lookup_elem(buckets, &k->key);
    if (!b) {
        struct ls_token_bucket fresh = { .tokens_scaled = capacity - LS_NSEC_PER_SEC, .updated_ns = now };
        bpf_map_update_elem(buckets, &k->key, &fresh, BPF_ANY);
        return 1;
    }
    __u64 tokens = b->tokens_scaled;
    __u64 elapsed = now > b->updated_ns ? now - b->updated_ns : 0;
    /* Compare before multiplying: elapsed * rate could overflow after a long idle time. */
    if (elapsed >= capacity / rate)
        tokens = capacity;
    else
        tokens += elapsed * rate;
    if (tokens > capacity)
        tokens = capacity;
    b->updated_ns = now;
    if (tokens >= LS_NSEC_PER_SEC) {
        b->tokens_scaled = tokens - LS_NSEC_PER_SEC;
        return 1;
    }
    b->tokens_scaled = tokens;
    ls_drop(reason);
    return 0;
}

static __always_inline void ls_hand_up(void *ctx, __u64 wire_len, __u32 ifindex, __u8 point)
{
    __u64 snap = ls_config.snap_len;
    if (snap == 0 || snap > LS_SNAP_MAX)
        snap = LS_SNAP_MAX;
    __u64 cap = wire_len < snap ? wire_len : snap;
    struct ls_event_header header = {
        .timestamp_ns = bpf_ktime_get_ns(), /* handed-up frames get full resolution */
        .ifindex = ifindex,
        .wire_len = (__u32)wire_len,
        .cap_len = (__u16)cap,
        .capture_point = point,
        .abi_version = LS_ABI_VERSION,
    };
    __u64 flags = BPF_F_CURRENT_CPU | ((cap << 32) & BPF_F_CTXLEN_MASK);
    if (bpf_perf_event_output(ctx, &ls_events, flags, &header, sizeof(header)) != 0) {
        ls_drop(LS_DROP_BUFFER_FULL);
        return;
    }
    if (cap < wire_len)
        ls_drop(LS_DROP_TRUNCATED);
}

/* The payload peek, the sender's rate limit and the copy for a frame handed up only if its payload says
 * so (`kind`: LS_WANT_DNS, LS_WANT_REQUEST or LS_WANT_UBNT (not rate limited), parse.bpf.h); 1 when
 * handed up. `header_len` is the offset
 * of the TCP/UDP payload, `key` the sender's ls_key.raw. */
static __always_inline int ls_hand_up_candidate(void *ctx, void *data, void *data_end, __u32 kind, __u64 header_len,
                                                __u64 key, __u64 now, __u64 wire_len, __u32 ifindex, __u8 point)
{
    /* Two tests the compiler must not fold into one unsigned compare, which would leave the
     * verifier no upper bound on header_len. */
    if (header_len == 0)
        return 0;
    barrier_var(header_len);
    if (header_len > LS_HEADERS_MAX)
        return 0;
    void *payload = data + header_len;
    union ls_key source = { .raw = key };
    if (kind == LS_WANT_DNS) {
        if (!ls_is_dns_query(payload, data_end) ||
            !ls_admit(&ls_dns_tokens, &source, now, ls_config.dns_rate_per_sec, ls_config.dns_burst,
                      LS_DROP_DNS_RATE_LIMITED))
            return 0;
    } else if (kind == LS_WANT_UBNT) {
        /* Handed up unrated, like the other discovery frames: devices announce every few seconds. */
        if (!ls_is_ubnt_message(payload, data_end))
            return 0;
    } else {
        if (!ls_opens_request(payload, data_end) ||
            !ls_admit(&ls_app_tokens, &source, now, ls_config.payload_rate_per_sec, ls_config.payload_burst,
                      LS_DROP_PAYLOAD_RATE_LIMITED))
            return 0;
    }
    ls_hand_up(ctx, wire_len, ifindex, point);
    return 1;
}

/* ls_hand_up_candidate for each program type, as global functions: the verifier checks a global
 * function once, on its own, instead of again for every state the counting loops leave behind.
 * Inlined, these peeks more than doubled the instructions it walks (TC: 0.35 M to 0.9 M of its
 * 1 M limit). The call is paid only by candidates. */
__noinline int ls_xdp_candidate(struct xdp_md *ctx, __u32 kind, __u64 header_len, __u64 key, __u64 now)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    return ls_hand_up_candidate(ctx, data, data_end, kind, header_len, key, now, bpf_xdp_get_buff_len(ctx),
                                ctx->ingress_ifindex, LS_CAPTURE_INGRESS);
}

__noinline int ls_tc_candidate(struct __sk_buff *skb, __u32 kind, __u64 header_len, __u64 key, __u64 now)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    return ls_hand_up_candidate(skb, data, data_end, kind, header_len, key, now, skb->len, skb->ifindex,
                                LS_CAPTURE_EGRESS);
}

static __always_inline void ls_candidate(void *ctx, __u8 point, __u32 kind, __u64 header_len, __u64 key, __u64 now)
{
    if (point == LS_CAPTURE_INGRESS)
        ls_xdp_candidate(ctx, kind, header_len, key, now);
    else
        ls_tc_candidate(ctx, kind, header_len, key, now);
}

/* An empty asm that is handed `object`'s address and may read or write memory: the compiler must
 * assume the object escapes, so it stays one object in the stack frame instead of being split into
 * registers (scalar replacement). */
#define ls_keep_in_stack(object) asm volatile("" : : "r"(object) : "memory")

static __always_inline void ls_observe(void *ctx, void *data, void *data_end, __u64 wire_len, __u64 packets,
                                       __u32 ifindex, __u8 point)
{
    struct ls_parsed p = {};
    /* Split into registers, p's fields become values merged from every exit of the inlined parse, and
     * family, l4 and want stay live across the helper calls below; BPF has four callee-saved
     * registers (r6-r9). The TC program also keeps the skb, packet count, length and ifindex live, so
     * clang spilled those merged values by storing each exit's constants on every parse edge: twice
     * the stack stores and ~45 more instructions per ordinary TC frame than before the hand-up
     * (2-4 ns, the whole budget), and the verifier walked 0.72 M instructions (0.35 M before).
     * In memory, the parse stores a field only where it sets one (verifier: 0.19 M). */
    ls_keep_in_stack(&p);
    int has_ethernet = ls_parse(data, data_end, &p);
    if (p.malformed)
        ls_drop(LS_DROP_MALFORMED);
    if (!has_ethernet)
        return;
    /* Headers up to the TCP/UDP payload, 0 when it was not reached. Kept as an offset rather than a
     * packet pointer: a pointer live across the counting loops below would split the verifier's
     * states by header layout and multiply the instructions it walks. */
    __u64 header_len = p.payload ? (__u64)(p.payload - data) : 0;
    /* A GSO super-packet carries its headers once; on the wire every segment repeats them
     * (Ethernet + IP + TCP/UDP, options included). Count bytes as the wire sees them. */
    __u64 counted_len = wire_len;
    if (packets > 1 && header_len && header_len < 512)
        counted_len += (packets - 1) * header_len;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return;
    __u64 now = ls_tick_time();
    __u32 cpu = bpf_get_smp_processor_id();
    union ls_key source, destination;
    /* Egress counts only the destination; its source key is built below, for frames handed up. */
    int source_is_device = 0;
    if (point == LS_CAPTURE_INGRESS)
        source_is_device = ls_device_key_from(eth->h_source, &source);
    int destination_is_device = ls_device_key_from(eth->h_dest, &destination);

    if (point == LS_CAPTURE_INGRESS) {
        if (source_is_device)
            ls_count(&source, LS_DIR_TRANSMITTED, &p, packets, counted_len, now, cpu);
        if (ls_config.count_ingress_dst && destination_is_device)
            ls_count(&destination, LS_DIR_RECEIVED, &p, packets, counted_len, now, cpu);
    } else if (destination_is_device) {
        ls_count(&destination, LS_DIR_RECEIVED, &p, packets, counted_len, now, cpu);
    }

    /* Hand-up decisions, all after counting and decided while parsing: an ordinary frame pays the
     * one test below. The kernel keeps no per-connection state, so a later request on a kept-alive
     * HTTP connection (or a retransmitted ClientHello) is a candidate too, within the same budget. */
    if (p.want == LS_WANT_NOTHING)
        return;
    if (point != LS_CAPTURE_INGRESS)
        source_is_device = ls_device_key_from(eth->h_source, &source);
    if (p.want == LS_WANT_DISCOVERY) {
        ls_hand_up(ctx, wire_len, ifindex, point);
        return;
    }
    if (!source_is_device)
        return;
    if (p.want == LS_WANT_SYN) {
        if (ls_admit(&ls_syn_tokens, &source, now, ls_config.syn_rate_per_sec, ls_config.syn_burst,
                     LS_DROP_RATE_LIMITED))
            ls_hand_up(ctx, wire_len, ifindex, point);
        return;
    }
    ls_candidate(ctx, point, p.want, header_len, source.raw, now);
}

SEC("xdp.frags")
int ls_xdp_ingress(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    /* The whole frame including multi-buffer fragments, not only the linear part (kernel 5.18+). */
    __u64 wire_len = bpf_xdp_get_buff_len(ctx);
    ls_observe(ctx, data, data_end, wire_len, 1, ctx->ingress_ifindex, LS_CAPTURE_INGRESS);
    return XDP_PASS;
}

SEC("tc")
int ls_tc_egress(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    /* Headers are read from the linear part. The stack builds egress headers there, but a large
     * frame from a packet socket may sit almost entirely in page fragments: only when the headers
     * are cut short inside such an skb, pull them into the linear part (content unchanged) and
     * parse again. Skipped for ordinary (and GSO) skbs, where it would cost a copy. */
    if ((__u64)(data_end - data) < skb->len) {
        struct ls_parsed probe = {};
        ls_parse(data, data_end, &probe);
        if (probe.malformed) {
            bpf_skb_pull_data(skb, skb->len < LS_TC_PULL_MAX ? skb->len : LS_TC_PULL_MAX);
            data = (void *)(long)skb->data;
            data_end = (void *)(long)skb->data_end;
        }
    }
    /* A GSO super-packet leaves as gso_segs frames on the wire; count them as such. */
    __u64 packets = skb->gso_segs ? skb->gso_segs : 1;
    ls_observe(skb, data, data_end, skb->len, packets, skb->ifindex, LS_CAPTURE_EGRESS);
    return TC_ACT_OK;
}

/* Benchmark floor: the cost of running any XDP program at all. Never attached. */
SEC("xdp")
int ls_xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
