#!/bin/sh
# Benchmarks the kernel side: per-packet cost of the XDP and TC programs (BPF_PROG_TEST_RUN,
# 1,000,000 repeats per frame) next to a trivial XDP_PASS program measured in the same run, and
# the scrape-side read of 10,000 devices. Needs root. Release build; prints figures and ratios.
set -eu
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "bench-bpf: needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)" >&2
    exit 1
fi
LANSCOPE_BPF_BENCH=1 swift test -c release --filter 'CaptureEBPFTests.BenchmarkTests' 2>&1 | grep -E 'bench-bpf:|passed|failed|error'
