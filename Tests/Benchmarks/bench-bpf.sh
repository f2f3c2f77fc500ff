#!/bin/sh
# Benchmarks the kernel side: per-packet cost of the XDP and TC programs (BPF_PROG_TEST_RUN,
# 1,000,000 repeats per frame) next to a trivial XDP_PASS program measured in the same run, and
# the scrape-side read of 10,000 devices. Needs root. Release build; prints figures and ratios,
# then one SUMMARY line for `make bench`.
set -eu
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "bench-bpf: needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)" >&2
    exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
LANSCOPE_BPF_BENCH=1 swift test -c release --filter 'CaptureEBPFTests.BenchmarkTests' > "$log" 2>&1 || status=$?
grep -E 'bench-bpf:|passed|failed|error:' "$log" || true
if [ "$status" != 0 ]; then
    echo "bench-bpf: swift test failed ($status)" >&2
    exit "$status"
fi
# The mixed mean (with hand-up frames) and the counted-only mean, each next to XDP_PASS -> SUMMARY
awk '/bench-bpf: mixed mean:/ {
        for (i = 1; i <= NF; i++) {
            if ($i == "xdp_pass") floor = $(i + 1)
            if ($i == "xdp" && $(i + 1) ~ /^[0-9.]+$/) { xdp = $(i + 1); xr = $(i + 3); gsub(/[(x]/, "", xr) }
            if ($i == "tc") { tc = $(i + 1); tr = $(i + 3); gsub(/[(x]/, "", tr) }
        }
     }
     /bench-bpf: counted-only frames/ {
        for (i = 1; i <= NF; i++) {
            if ($i == "xdp_pass") cfloor = $(i + 1)
            if ($i == "xdp" && $(i + 1) ~ /^[0-9.]+$/) cxdp = $(i + 1)
        }
     }
     /bench-bpf: readDeviceCounters/ && /tx\/rx ipv4/ && read == "" { for (i = 1; i <= NF; i++) if ($i == "batched" && read == "") read = $(i + 3) }
     END {
        printf "SUMMARY bpf xdp_pass_ns=%s xdp_ns=%s xdp_ratio=%s tc_ns=%s tc_ratio=%s counted_xdp_ns=%s counted_xdp_ratio=%.2f map_read_10k_cpu_ms=%s\n",
               floor, xdp, xr, tc, tr, cxdp, (cfloor > 0 ? cxdp / cfloor : 0), read
     }' "$log"
