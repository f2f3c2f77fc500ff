#!/usr/bin/env bash
# HTTPS throughput and handshake rate against prometheus-node-exporter given the same certificate, same run.
#
#   Tests/Benchmarks/bench-tls.sh            (make bench-tls)
#
# A throwaway CA and server certificate (EC P-256, for 127.0.0.1) go into both servers' web-config files
# (`tls_server_config`). lanscope replays a generated capture with 100 devices; then:
# 1. keep-alive, `wrk -c 64 -t 2 -d 5s` over https:
#      lanscope /-/healthy        vs node_exporter /          (target >= 1x, zero errors)
#      lanscope /metrics (100)    vs node_exporter /metrics   (printed)
# 2. handshakes per second, a new full handshake per connection, both ways bounded in time:
#      `openssl s_time -new -time SECONDS` (one client, sequential) and
#      `wrk -H 'Connection: close'` on the trivial route (64 connections, one request each).
# Both servers are started here, their pids recorded, and killed at the end.
# Environment: DURATION (5s), CONNECTIONS (64), THREADS (2), SECONDS_PER_HANDSHAKE_RUN (5),
# PORT (19187), NODE_EXPORTER_PORT (19186), LANSCOPE (.build/release/lanscope).
set -euo pipefail

cd "$(dirname "$0")/../.."
duration=${DURATION:-5s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
handshake_seconds=${SECONDS_PER_HANDSHAKE_RUN:-5}
port=${PORT:-19187}
ne_port=${NODE_EXPORTER_PORT:-19186}
lanscope=${LANSCOPE:-.build/release/lanscope}

for tool in wrk curl openssl capinfos prometheus-node-exporter; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk curl openssl tshark prometheus-node-exporter)" >&2; exit 2; }
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

# One certificate for both servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=bench CA" \
    -addext basicConstraints=critical,CA:TRUE -keyout "$workdir/ca.key" -out "$workdir/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$workdir/server.key" -out "$workdir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$workdir/server.ext"
openssl x509 -req -in "$workdir/server.csr" -CA "$workdir/ca.pem" -CAkey "$workdir/ca.key" -CAcreateserial \
    -days 2 -extfile "$workdir/server.ext" -out "$workdir/server.pem" 2>/dev/null
chmod 600 "$workdir"/*.key
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$workdir/server.pem" "$workdir/server.key" > "$workdir/web.yml"

s_time() { # port path -> full handshakes per second (one client, sequential, new session each time)
    openssl s_time -connect "127.0.0.1:$1" -new -time "$handshake_seconds" -www "$2" -CAfile "$workdir/ca.pem" 2>/dev/null \
        | awk '/connections in [0-9.]+ real seconds/ { printf "%.0f\n", $1 / $4; found = 1 } END { if (!found) print 0 }'
}
wait_for() { # url
    local deadline=$(( $(date +%s) + 30 ))
    until curl -fsS --cacert "$workdir/ca.pem" -o /dev/null "$1" 2>/dev/null; do
        (( $(date +%s) < deadline )) || { echo "no answer from $1" >&2; return 1; }
        sleep 0.1
    done
}

echo "generating a capture with 100 devices..."
/usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$workdir/lan100.pcap" --devices 99 --frames 50000
packets=$(capinfos -c -M "$workdir/lan100.pcap" 2>/dev/null | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')

prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" --web.max-requests=0 \
    --web.config.file="$workdir/web.yml" > "$workdir/node-exporter.log" 2>&1 &
ne_pid=$!
# Every benchmark client comes from 127.0.0.1: lift the per-address cap (64, node_exporter has none), or
# wrk's reconnections (Connection: close, and after 1000 requests) are refused while their predecessors
# are still closing, and the figure is the cap at work, not throughput.
"$lanscope" run --pcap "$workdir/lan100.pcap" --listen "127.0.0.1:$port" --no-db \
    --http-max-connections-per-address 1024 \
    --web-config-file "$workdir/web.yml" > "$workdir/lanscope.log" 2>&1 &
ls_pid=$!
wait_for "https://127.0.0.1:$ne_port/"
wait_for "https://127.0.0.1:$port/-/healthy"
deadline=$(( $(date +%s) + 120 ))
until [[ "$(curl -fsS --cacert "$workdir/ca.pem" "https://127.0.0.1:$port/metrics" | awk '/^lanscope_capture_packets_total / { print $2 + 0 }')" == "$packets" ]]; do
    (( $(date +%s) < deadline )) || { echo "lanscope did not finish the replay" >&2; cat "$workdir/lanscope.log" >&2; exit 1; }
    sleep 0.2
done
devices=$(curl -fsS --cacert "$workdir/ca.pem" "https://127.0.0.1:$port/metrics" | grep -c '^lanscope_device_info{' || true)

read -r ne_root_rps ne_root_err < <(run_wrk ne-root "https://127.0.0.1:$ne_port/")
read -r ls_healthy_rps ls_healthy_err < <(run_wrk ls-healthy "https://127.0.0.1:$port/-/healthy")
read -r ne_metrics_rps ne_metrics_err < <(run_wrk ne-metrics "https://127.0.0.1:$ne_port/metrics")
read -r ls_metrics_rps ls_metrics_err < <(run_wrk ls-metrics "https://127.0.0.1:$port/metrics")
read -r ne_close_rps ne_close_err < <(run_wrk ne-close "https://127.0.0.1:$ne_port/" -H "Connection: close")
read -r ls_close_rps ls_close_err < <(run_wrk ls-close "https://127.0.0.1:$port/-/healthy" -H "Connection: close")
ne_s_time=$(s_time "$ne_port" /)
ls_s_time=$(s_time "$port" /-/healthy)

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "HTTPS (TLS 1.3, EC P-256 certificate), wrk -c $connections -t $threads -d $duration, lanscope with $devices devices, load average $load"
printf '  %-44s %10s req/s  errors %s\n' "node_exporter / (keep-alive)" "$ne_root_rps" "$ne_root_err"
printf '  %-44s %10s req/s  errors %s\n' "lanscope /-/healthy (keep-alive)" "$ls_healthy_rps" "$ls_healthy_err"
printf '  %-44s %10s req/s  errors %s\n' "node_exporter /metrics (keep-alive)" "$ne_metrics_rps" "$ne_metrics_err"
printf '  %-44s %10s req/s  errors %s\n' "lanscope /metrics ($devices devices, keep-alive)" "$ls_metrics_rps" "$ls_metrics_err"
printf '  %-44s %10s conn/s  errors %s\n' "node_exporter / (Connection: close)" "$ne_close_rps" "$ne_close_err"
printf '  %-44s %10s conn/s  errors %s\n' "lanscope /-/healthy (Connection: close)" "$ls_close_rps" "$ls_close_err"
printf '  %-44s %10s handshakes/s\n' "node_exporter, openssl s_time -new" "$ne_s_time"
printf '  %-44s %10s handshakes/s\n' "lanscope, openssl s_time -new" "$ls_s_time"
awk -v h="$ls_healthy_rps" -v r="$ne_root_rps" -v he="$ls_healthy_err" -v m="$ls_metrics_rps" -v n="$ne_metrics_rps" \
    -v lc="$ls_close_rps" -v nc="$ne_close_rps" 'BEGIN {
    printf "  ratio lanscope /-/healthy / node_exporter / over TLS: %.2f  (target >= 1, zero errors: %s)\n", h / r, ((h >= r && he == 0) ? "met" : "MISSED")
    printf "  ratio lanscope /metrics / node_exporter /metrics over TLS: %.2f\n", m / n
    printf "  ratio of new connections (handshakes) per second: %.2f\n", lc / nc
}'
echo "SUMMARY tls healthy_ratio=$(awk -v a="$ls_healthy_rps" -v b="$ne_root_rps" 'BEGIN { printf "%.2f", a / b }') metrics_ratio=$(awk -v a="$ls_metrics_rps" -v b="$ne_metrics_rps" 'BEGIN { printf "%.2f", a / b }') handshakes_ls=$ls_close_rps handshakes_ne=$ne_close_rps"
