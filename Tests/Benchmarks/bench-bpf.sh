#!/bin/sh
# Benchmarks the kernel side, release build, root only:
#  1. per-packet cost of the XDP and TC programs (BPF_PROG_TEST_RUN, 1,000,000 repeats per frame)
#     next to a trivial XDP_PASS program measured in the same run, then the same runs under the
#     kernel's own run-time accounting (bpf_stats);
#  2. the read of a 10,000-device table alone (in place through the mapping vs copied with batched lookups);
#  3. the whole eBPF scrape with 10,000 devices — read the per-CPU table, join, render /metrics —
#     with the allocator as `lanscope run` sets it, then with glibc's defaults (one process each),
#     next to the registry-backed scrape measured in the same process.
# Prints the figures and ratios, then one SUMMARY line for `make bench`.
#
# BPF_BASELINE=REV (a git revision) also compiles that revision's bpf/ and runs its programs next to
# the current ones, frame by frame in the same process (before/after per packet). PROGRAMS_ONLY=1 runs
# only the per-packet part (1.), without the scrapes or the SUMMARY line. CONFIGURATION=debug skips the
# release build: the per-packet figures are the kernel's and do not depend on it.
set -eu
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "bench-bpf: needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_ADMIN for bpf_stats)" >&2
    exit 1
fi
log=$(mktemp)
defaults=$(mktemp)
baseline=$(mktemp -d)
trap 'rm -rf "$log" "$defaults" "$baseline"' EXIT
configuration=${CONFIGURATION:-release}
if [ -n "${BPF_BASELINE:-}" ]; then
    # Same flags as Sources/BPFObjectPlugin, so only the source differs.
    git archive "$BPF_BASELINE" bpf | tar -x -C "$baseline"
    "${CLANG:-clang}" -target bpf -mcpu=v3 -O2 -g -Wall -I "$baseline/bpf/include" -I "$baseline/bpf" \
        -idirafter /usr/include -idirafter "/usr/include/$(uname -m)-linux-gnu" \
        -c "$baseline/bpf/lanscope.bpf.c" -o "$baseline/lanscope.bpf.o"
    export LANSCOPE_BPF_BASELINE_OBJECT="$baseline/lanscope.bpf.o"
    echo "bench-bpf: baseline $BPF_BASELINE ($(git rev-parse --short "$BPF_BASELINE")) compiled"
fi
run() {
    status=0
    "$@" || status=$?
    if [ "$status" != 0 ]; then
        grep -E 'bench-bpf:|bench-service:|✘|error:' "$log" "$defaults" || true
        echo "bench-bpf: swift test failed ($status)" >&2
        exit "$status"
    fi
}
# One suite per process: suites in one process run in parallel and would disturb each other.
if [ "${PROGRAMS_ONLY:-0}" = 1 ]; then
    run sh -c "LANSCOPE_BPF_BENCH=1 swift test -c $configuration --filter 'CaptureEBPFTests.BPFBenchmarkPrivilegedTests/programs_' > '$log' 2>&1"
    grep -E 'bench-bpf:|passed|failed|error:' "$log" || true
    exit 0
fi
run sh -c "LANSCOPE_BPF_BENCH=1 swift test -c $configuration --filter 'CaptureEBPFTests.BPFBenchmarkPrivilegedTests' > '$log' 2>&1"
run sh -c "LANSCOPE_BPF_BENCH=1 swift test -c $configuration --skip-build --filter 'KernelScrapeBenchmarkPrivilegedTests' >> '$log' 2>&1"
run sh -c "LANSCOPE_BPF_BENCH=1 LANSCOPE_BENCH_ALLOCATOR=defaults swift test -c $configuration --skip-build --filter 'KernelScrapeBenchmarkPrivilegedTests' > '$defaults' 2>&1"
grep -E 'bench-bpf:|bench-service:|passed|failed|error:' "$log" || true
echo "bench-bpf: the same scrape with glibc's allocator defaults (a process of its own):"
grep -E 'bench-bpf: ebpf scrape' "$defaults" || true

# Means next to XDP_PASS, the eBPF scrape medians -> SUMMARY
awk -v defaults="$defaults" '
    function after(word,   i) { for (i = 1; i <= NF; i++) if ($i == word) return $(i + 1); return "" }
    /bench-bpf: mixed mean:/ {
        floor = after("xdp_pass"); xdp = after("xdp"); tc = after("tc")
        for (i = 1; i <= NF; i++) {
            if ($i == "xdp" && $(i + 1) ~ /^[0-9.]+$/) { xr = $(i + 3); gsub(/[(x]/, "", xr) }
            if ($i == "tc") { tr = $(i + 3); gsub(/[(x]/, "", tr) }
        }
    }
    /bench-bpf: counted-only frames/ { cfloor = after("xdp_pass"); cxdp = after("xdp"); ctc = after("tc") }
    /bench-bpf: bpf_stats counted-only/ { sfloor = after("xdp_pass"); sxdp = after("xdp"); stc = after("tc") }
    /bench-bpf: readDeviceTable/ && /tx\/rx ipv4/ && read == "" { for (i = 1; i <= NF; i++) if ($i == "(mmap)" && read == "") read = $(i + 3) }
    /bench-bpf: ebpf scrape/ && /8 classes/ { scrape = after("median") }
    /bench-bpf: ebpf scrape/ && /24 classes/ { worst = after("median") }
    END {
        while ((getline line < defaults) > 0) if (line ~ /bench-bpf: ebpf scrape/ && line ~ /8 classes/) {
            n = split(line, f, " "); for (i = 1; i <= n; i++) if (f[i] == "median") glibc = f[i + 1]
        }
        printf "SUMMARY bpf xdp_pass_ns=%s xdp_ns=%s xdp_ratio=%s tc_ns=%s tc_ratio=%s counted_xdp_ns=%s counted_xdp_ratio=%.2f counted_xdp_over_floor_ns=%.1f counted_tc_over_floor_ns=%.1f stats_xdp_over_floor_ns=%.1f stats_tc_over_floor_ns=%.1f map_read_10k_cpu_ms=%s ebpf_scrape_10k_ms=%s ebpf_scrape_10k_24classes_ms=%s ebpf_scrape_10k_glibc_defaults_ms=%s\n",
               floor, xdp, xr, tc, tr, cxdp, (cfloor > 0 ? cxdp / cfloor : 0), cxdp - cfloor, ctc - cfloor, sxdp - sfloor, stc - sfloor,
               read, scrape, worst, glibc
    }' "$log"
