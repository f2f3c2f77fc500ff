#!/usr/bin/env bash
# HTTP throughput and render times against references measured in the same run.
#
#   Tests/Benchmarks/bench-http.sh
#
# 1. Replays a generated capture with 100 devices into `lanscope run --pcap` on loopback and starts
#    Debian's prometheus-node-exporter on loopback. Under `wrk -c 64 -t 2 -d 5s`:
#      lanscope /-/healthy        vs node_exporter /          (target >= 1x, zero errors)
#      lanscope /metrics (100)    vs node_exporter /metrics   (target >= 10x)
# 2. Restarts lanscope on a capture with 10,000 devices and times RUNS sequential requests each of
#    /metrics (target <= 20 ms median) and /devices.json (<= 50 ms), next to /-/healthy timed the same
#    way (the socket floor), with curl's time_total.
# 3. Unless IN_PROCESS=0: the same renders in-process (ServiceBenchmarkTests, release build), which
#    splits the scrape into snapshot, collect and encode.
# Both servers are started here, their pids recorded, and killed at the end.
# Environment: DURATION (5s), CONNECTIONS (64), THREADS (2), RUNS (21), PORT (19185),
# NODE_EXPORTER_PORT (19184), LANSCOPE (.build/release/lanscope).
set -euo pipefail

cd "$(dirname "$0")/../.."
duration=${DURATION:-5s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
runs=${RUNS:-21}
port=${PORT:-19185}
ne_port=${NODE_EXPORTER_PORT:-19184}
lanscope=${LANSCOPE:-.build/release/lanscope}

for tool in wrk curl capinfos prometheus-node-exporter; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk curl tshark prometheus-node-exporter)" >&2; exit 2; }
done
[[ -x "$lanscope" ]] || { echo "missing $lanscope (make release)" >&2; exit 2; }

workdir=$(mktemp -d)
ne_pid=""
ls_pid=""
# stop, summarise, run_wrk
source Tests/Benchmarks/wrk-lib.sh
cleanup() {
    stop "$ls_pid"
    stop "$ne_pid"
    rm -rf "$workdir"
}
trap cleanup EXIT

wait_for() { # url [seconds]
    local deadline=$(( $(date +%s) + ${2:-30} ))
    until curl -fsS -o /dev/null "$1" 2>/dev/null; do
        (( $(date +%s) < deadline )) || { echo "no answer from $1" >&2; return 1; }
        sleep 0.1
    done
}

# Starts lanscope on a capture and waits until every packet of it went through the pipeline.
start_lanscope() { # capture packets
    "$lanscope" run --pcap "$1" --listen "127.0.0.1:$port" --db "$workdir/lanscope.db" > "$workdir/lanscope.log" 2>&1 &
    ls_pid=$!
    wait_for "http://127.0.0.1:$port/-/healthy"
    local deadline=$(( $(date +%s) + 120 )) seen=0
    while :; do
        seen=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^lanscope_capture_packets_total / { print $2 + 0 }')
        [[ "${seen:-0}" == "$2" ]] && break
        (( $(date +%s) < deadline )) || { echo "lanscope processed ${seen:-0} of $2 packets" >&2; cat "$workdir/lanscope.log" >&2; return 1; }
        sleep 0.2
    done
}

count_packets() { capinfos -c -M "$1" 2>/dev/null | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }'; }

# Median and best of RUNS sequential requests, in milliseconds.
latency() { # url
    for _ in $(seq 1 "$runs"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' "$1"
    done | sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "%.2f %.2f\n", v[int((NR + 1) / 2)], v[1] }'
}

echo "generating captures (100 and 10,000 devices)..."
/usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$workdir/lan100.pcap" --devices 99 --frames 50000
/usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$workdir/lan10k.pcap" --devices 9999 --frames 200000
packets100=$(count_packets "$workdir/lan100.pcap")
packets10k=$(count_packets "$workdir/lan10k.pcap")

# --web.max-requests=0: no cap on parallel scrapes, so its figure is throughput, not 503s.
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" --web.max-requests=0 > "$workdir/node-exporter.log" 2>&1 &
ne_pid=$!
wait_for "http://127.0.0.1:$ne_port/"
start_lanscope "$workdir/lan100.pcap" "$packets100"
devices100=$(curl -fsS "http://127.0.0.1:$port/metrics" | grep -c '^lanscope_device_info{' || true)

read -r ne_root_rps ne_root_err < <(run_wrk ne-root "http://127.0.0.1:$ne_port/")
read -r ls_healthy_rps ls_healthy_err < <(run_wrk ls-healthy "http://127.0.0.1:$port/-/healthy")
read -r ne_metrics_rps ne_metrics_err < <(run_wrk ne-metrics "http://127.0.0.1:$ne_port/metrics")
read -r ls_metrics_rps ls_metrics_err < <(run_wrk ls-metrics "http://127.0.0.1:$port/metrics")
stop "$ne_pid"; ne_pid=""
stop "$ls_pid"; ls_pid=""
rm -f "$workdir"/lanscope.db*

start_lanscope "$workdir/lan10k.pcap" "$packets10k"
devices10k=$(curl -fsS "http://127.0.0.1:$port/metrics" | grep -c '^lanscope_device_info{' || true)
metrics_bytes=$(curl -fsS "http://127.0.0.1:$port/metrics" | wc -c)
json_bytes=$(curl -fsS "http://127.0.0.1:$port/devices.json" | wc -c)
read -r healthy_median healthy_best < <(latency "http://127.0.0.1:$port/-/healthy")
read -r metrics_median metrics_best < <(latency "http://127.0.0.1:$port/metrics")
read -r json_median json_best < <(latency "http://127.0.0.1:$port/devices.json")
stop "$ls_pid"; ls_pid=""

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "wrk -c $connections -t $threads -d $duration, lanscope with $devices100 devices, load average $load"
printf '  %-36s %10s req/s  errors %s\n' "node_exporter /" "$ne_root_rps" "$ne_root_err"
printf '  %-36s %10s req/s  errors %s\n' "lanscope /-/healthy" "$ls_healthy_rps" "$ls_healthy_err"
printf '  %-36s %10s req/s  errors %s\n' "node_exporter /metrics" "$ne_metrics_rps" "$ne_metrics_err"
printf '  %-36s %10s req/s  errors %s\n' "lanscope /metrics ($devices100 devices)" "$ls_metrics_rps" "$ls_metrics_err"
awk -v h="$ls_healthy_rps" -v r="$ne_root_rps" -v m="$ls_metrics_rps" -v n="$ne_metrics_rps" -v he="$ls_healthy_err" -v me="$ls_metrics_err" 'BEGIN {
    printf "  ratio lanscope /-/healthy / node_exporter /: %.2f  (target >= 1, zero errors: %s)\n", h / r, ((h >= r && he == 0) ? "met" : "MISSED")
    printf "  ratio lanscope /metrics / node_exporter /metrics: %.2f  (target >= 10: %s)\n", m / n, ((m >= 10 * n && me == 0) ? "met" : "MISSED")
}'
echo
echo "sequential requests, $devices10k devices exported, median (best) of $runs, curl time_total"
awk -v hm="$healthy_median" -v hb="$healthy_best" -v mm="$metrics_median" -v mb="$metrics_best" -v jm="$json_median" -v jb="$json_best" \
    -v mbytes="$metrics_bytes" -v jbytes="$json_bytes" 'BEGIN {
    printf "  %-28s %8.2f ms (%.2f)\n", "/-/healthy (socket floor)", hm, hb
    printf "  %-28s %8.2f ms (%.2f)  x%.0f floor  %d bytes  target <= 20 ms: %s\n", "/metrics", mm, mb, mm / hm, mbytes, (mm <= 20 ? "met" : "MISSED")
    printf "  %-28s %8.2f ms (%.2f)  x%.0f floor  %d bytes  target <= 50 ms: %s\n", "/devices.json", jm, jb, jm / hm, jbytes, (jm <= 50 ? "met" : "MISSED")
}'
echo "SUMMARY http healthy_ratio=$(awk -v a="$ls_healthy_rps" -v b="$ne_root_rps" 'BEGIN { printf "%.2f", a / b }') metrics_ratio=$(awk -v a="$ls_metrics_rps" -v b="$ne_metrics_rps" 'BEGIN { printf "%.2f", a / b }') metrics10k_ms=$metrics_median devices10k_ms=$json_median"

if [[ "${IN_PROCESS:-1}" != 0 ]]; then
    echo
    echo "in-process (swift test -c release --filter ServiceBenchmark):"
    LANSCOPE_SERVICE_BENCH=1 swift test -c release --filter ServiceBenchmark > "$workdir/in-process.txt" 2>&1 \
        || { cat "$workdir/in-process.txt" >&2; exit 1; }
    grep -E 'bench-service:|Test run' "$workdir/in-process.txt"
fi
