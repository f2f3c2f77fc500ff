#!/usr/bin/env bash
# Replay time of two lanscope builds on the same capture, alternating with tcpdump's reading floor in
# the same run, so a change's effect is measured against the build before it on the same machine load.
#
#   Tests/Benchmarks/compare-replay.sh OLD_LANSCOPE NEW_LANSCOPE [CAPTURE]
#
# Without CAPTURE, writes a mixed capture (FRAMES frames, DEVICES devices; make_large_capture.py).
# Prints every run, then the best of RUNS for each (best-of-N: the machine is shared, the slower runs
# measure the neighbours), each build's ratio to tcpdump, and new/old.
set -euo pipefail
cd "$(dirname "$0")/../.."
old=${1:?old lanscope binary}
new=${2:?new lanscope binary}
frames=${FRAMES:-1000000}
devices=${DEVICES:-300}
runs=${RUNS:-5}
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
capture=${3:-}
if [[ -z "$capture" ]]; then
    capture="$workdir/large.pcap"
    /usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$capture" --frames "$frames" --devices "$devices"
fi
cat "$capture" > /dev/null
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null 2>"$workdir/stderr" || { cat "$workdir/stderr" >&2; return 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
best() { printf '%s\n' "$@" | sort -n | head -1; }
t=(); o=(); n=()
for i in $(seq 1 "$runs"); do
    t+=("$(time_ms tcpdump -r "$capture" -w /dev/null)")
    o+=("$(time_ms "$old" replay "$capture" --db "$workdir/old$i.db")")
    n+=("$(time_ms "$new" replay "$capture" --db "$workdir/new$i.db")")
    rm -f "$workdir"/*.db*
    echo "run $i: tcpdump ${t[-1]} ms, old ${o[-1]} ms, new ${n[-1]} ms"
done
bt=$(best "${t[@]}"); bo=$(best "${o[@]}"); bn=$(best "${n[@]}")
echo "best of $runs ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)): tcpdump $bt ms, old $bo ms, new $bn ms"
awk -v t="$bt" -v o="$bo" -v n="$bn" 'BEGIN { printf "old/tcpdump %.2fx, new/tcpdump %.2fx, new/old %.3f\n", o / t, n / t, n / o }'
