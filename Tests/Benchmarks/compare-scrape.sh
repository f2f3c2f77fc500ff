#!/usr/bin/env bash
# /metrics render time of two lanscope builds at 10,000 devices, alternating request by request in the
# same run, so a change to the exposition (e.g. more lanscope_device_info labels) is measured against
# the build before it under the same machine load.
#
#   Tests/Benchmarks/compare-scrape.sh OLD_LANSCOPE NEW_LANSCOPE [CAPTURE]
#
# Without CAPTURE, writes FRAMES (200,000) frames from DEVICES (10,000) devices (make_large_capture.py).
# Each build runs `lanscope run --pcap CAPTURE` on its own loopback port until every packet went through;
# then RUNS (31) rounds each time one `/metrics` from OLD and one from NEW with curl's time_total.
# ROUTE (default /metrics) times another route the same way, e.g. ROUTE=/devices.json.
# Prints medians, bests, body sizes and new/old. Both pids are recorded and killed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
old=${1:?old lanscope binary}
new=${2:?new lanscope binary}
frames=${FRAMES:-200000}
devices=${DEVICES:-10000}
runs=${RUNS:-31}
route=${ROUTE:-/metrics}
workdir=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$workdir"
}
trap cleanup EXIT
capture=${3:-}
if [[ -z "$capture" ]]; then
    capture="$workdir/large.pcap"
    /usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$capture" --frames "$frames" --devices "$devices"
fi
packets=$(capinfos -M -c "$capture" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')

start() { # binary port name
    "$1" run --pcap "$capture" --listen "127.0.0.1:$2" --db "$workdir/$3.db" > "$workdir/$3.log" 2>&1 &
    pids+=($!)
    local deadline=$(( $(date +%s) + 180 )) seen=0
    while :; do
        seen=$(curl -fsS "http://127.0.0.1:$2/metrics" 2>/dev/null | awk '/^lanscope_capture_packets_total / { print $2 + 0 }' || true)
        [[ "${seen:-0}" == "$packets" ]] && break
        (( $(date +%s) < deadline )) || { echo "$3 saw ${seen:-0} of $packets packets" >&2; tail "$workdir/$3.log" >&2; exit 1; }
        sleep 0.5
    done
}
start "$old" 19301 old
start "$new" 19302 new
scrape() { curl -fsS -o "$workdir/$2.prom" -w '%{time_total}\n' "http://127.0.0.1:$1$route"; }
for _ in 1 2 3; do scrape 19301 old > /dev/null; scrape 19302 new > /dev/null; done  # warm up
: > "$workdir/old.times"; : > "$workdir/new.times"
for _ in $(seq 1 "$runs"); do
    scrape 19301 old >> "$workdir/old.times"
    scrape 19302 new >> "$workdir/new.times"
done
stats() { sort -n "$1" | awk '{ v[NR] = $1 * 1000 } END { printf "median %.1f ms, best %.1f ms", v[int((NR + 1) / 2)], v[1] }'; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $devices devices, $packets frames, $runs alternating rounds of $route"
echo "old: $(stats "$workdir/old.times"), $(wc -c < "$workdir/old.prom") bytes, $(grep -c '^lanscope_device_info{' "$workdir/old.prom") device_info series"
echo "new: $(stats "$workdir/new.times"), $(wc -c < "$workdir/new.prom") bytes, $(grep -c '^lanscope_device_info{' "$workdir/new.prom") device_info series"
awk -v o="$(median "$workdir/old.times")" -v n="$(median "$workdir/new.times")" 'BEGIN { printf "new/old (medians) %.3f\n", n / o }'
