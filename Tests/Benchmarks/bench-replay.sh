#!/usr/bin/env bash
# Replay throughput against libpcap's own reading floor, measured in the same run.
#
#   Tests/Benchmarks/bench-replay.sh [CAPTURE]
#
# Without CAPTURE, writes a large mixed capture (FRAMES frames, DEVICES devices; see
# make_large_capture.py) into a temp dir. MIX=discovery (`make bench-discovery`) writes the
# identification issue's discovery-heavy load instead: 20% discovery frames (DNS queries 8%, ARP 5%,
# mDNS 4%, DHCP 3%), by default 1,000,000 frames from 2,000 devices, target <= 3x tcpdump. Then, RUNS times each, alternating:
#   tcpdump -r FILE -w /dev/null            (read every record, write nothing: the floor)
#   .build/release/lanscope replay FILE --db <fresh temp db>
# The file is read once beforehand so both run from the page cache. Prints best and median wall
# time, packets/s, the ratio lanscope/tcpdump and whether the targets hold (>= 1,000,000 packets/s,
# <= 3x tcpdump's time). Best-of-N is the headline: the machine is shared, so the slower runs
# measure the neighbours. Unless BREAKDOWN=0, then splits the replay into stages in-process (read
# only / + decode / + pipeline with the classifier and every detector / + history: the command's
# logic into a fresh database; ServiceBenchmarkTests, release build of the tests).
# Environment: MIX (lan), FRAMES (2000000; 1000000 with MIX=discovery), DEVICES (300; 2000), RUNS (3;
# 5), BREAKDOWN (1), LANSCOPE.
set -euo pipefail

cd "$(dirname "$0")/../.."
mix=${MIX:-lan}
case "$mix" in
    lan) frames=${FRAMES:-2000000}; devices=${DEVICES:-300}; runs=${RUNS:-3} ;;
    discovery) frames=${FRAMES:-1000000}; devices=${DEVICES:-2000}; runs=${RUNS:-5} ;;
    *) echo "MIX must be lan or discovery, not '$mix'" >&2; exit 2 ;;
esac
lanscope=${LANSCOPE:-.build/release/lanscope}

[[ -x "$lanscope" ]] || { echo "missing $lanscope (make release)" >&2; exit 2; }
for tool in tcpdump capinfos; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install tcpdump tshark)" >&2; exit 2; }
done

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

capture=${1:-}
if [[ -z "$capture" ]]; then
    capture="$workdir/large.pcap"
    start=$(date +%s%N)
    /usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$capture" --frames "$frames" --devices "$devices" \
        --mix "$mix"
    echo "generated in $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi
cat "$capture" > /dev/null
packets=$(capinfos -c -M "$capture" 2>/dev/null | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }' || true)
packets=${packets:-0}
size_mb=$(( $(stat -c %s "$capture") / 1048576 ))
echo "capture: $capture, $packets packets, $size_mb MiB"

# Wall time of one command in milliseconds.
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null 2>"$workdir/stderr" || { cat "$workdir/stderr" >&2; return 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}

tcpdump_ms=()
lanscope_ms=()
for i in $(seq 1 "$runs"); do
    tcpdump_ms+=("$(time_ms tcpdump -r "$capture" -w /dev/null)")
    lanscope_ms+=("$(time_ms "$lanscope" replay "$capture" --db "$workdir/run$i.db")")
    rm -f "$workdir/run$i.db"*
    echo "run $i: tcpdump ${tcpdump_ms[-1]} ms, lanscope ${lanscope_ms[-1]} ms"
done

best() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

td_best=$(best "${tcpdump_ms[@]}"); td_median=$(median "${tcpdump_ms[@]}")
ls_best=$(best "${lanscope_ms[@]}"); ls_median=$(median "${lanscope_ms[@]}")
load=$(cut -d' ' -f1-3 /proc/loadavg)

awk -v mix="$mix" -v n="$packets" -v tb="$td_best" -v tm="$td_median" -v lb="$ls_best" -v lm="$ls_median" -v runs="$runs" -v load="$load" 'BEGIN {
    printf "\nreplay of %d packets (%s mix), best (median) of %d runs, load average %s\n", n, mix, runs, load
    printf "  %-34s %8d ms (%d)  %12.0f packets/s\n", "tcpdump -r FILE -w /dev/null", tb, tm, n / (tb / 1000)
    printf "  %-34s %8d ms (%d)  %12.0f packets/s\n", "lanscope replay FILE --db TMP", lb, lm, n / (lb / 1000)
    ratio = lb / tb
    rate = n / (lb / 1000)
    printf "  ratio lanscope / tcpdump: %.2f (median %.2f)\n", ratio, lm / tm
    printf "  target >= 1,000,000 packets/s: %s\n", (rate >= 1000000 ? "met" : "MISSED")
    printf "  target <= 3x tcpdump: %s\n", (ratio <= 3 ? "met" : "MISSED")
    printf "SUMMARY replay%s lanscope_pps=%.0f tcpdump_pps=%.0f ratio=%.2f\n", (mix == "lan" ? "" : "-" mix), rate, n / (tb / 1000), ratio
}'

if [[ "${BREAKDOWN:-1}" != 0 ]]; then
    echo
    echo "stages, in-process (swift test -c release --filter ServiceBenchmarkTests/replay_), best of 3:"
    LANSCOPE_SERVICE_BENCH=1 LANSCOPE_REPLAY_BENCH_FILE="$capture" \
        swift test -c release --filter 'ServiceBenchmarkTests/replay_' > "$workdir/breakdown.txt" 2>&1 \
        || { cat "$workdir/breakdown.txt" >&2; exit 1; }
    grep -E 'bench-replay:|Test run' "$workdir/breakdown.txt"
fi
