#!/usr/bin/env bash
# HTTP throughput against a reference measured in the same run.
#
#   Tests/Benchmarks/bench-http.sh [LANSCOPE_URL]
#
# Starts Debian's prometheus-node-exporter on loopback and runs `wrk -c 64 -t 2 -d 5s` against its
# landing page `/`, then against LANSCOPE_URL (e.g. http://127.0.0.1:9184/-/healthy of a running
# lanscope). Without a URL, the in-process benchmark test of the HTTPServer module (release build,
# LANSCOPE_HTTP_BENCH=1) provides the figure instead. Prints req/s of both, the ratio and error counts.
# Environment: DURATION (default 5s), CONNECTIONS (64), THREADS (2), NODE_EXPORTER_PORT (19184).
set -euo pipefail

cd "$(dirname "$0")/../.."
duration=${DURATION:-5s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
ne_port=${NODE_EXPORTER_PORT:-19184}
target_url=${1:-}

for tool in wrk prometheus-node-exporter; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk prometheus-node-exporter)" >&2; exit 2; }
done

workdir=$(mktemp -d)
ne_pid=""
cleanup() {
    if [[ -n "$ne_pid" ]]; then kill "$ne_pid" 2>/dev/null || true; wait "$ne_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# wrk output -> "req_per_sec errors" (errors = socket errors + non-2xx/3xx responses).
summarise() {
    awk '
        /^Requests\/sec:/ { rps = $2 }
        /Socket errors:/ { gsub(",", ""); for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) errors += $i }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        END { printf "%s %d\n", (rps == "" ? "0" : rps), errors }
    ' "$1"
}

run_wrk() { # name url
    wrk -c "$connections" -t "$threads" -d "$duration" "$2" > "$workdir/$1.txt"
    summarise "$workdir/$1.txt"
}

prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" > "$workdir/node-exporter.log" 2>&1 &
ne_pid=$!
for _ in $(seq 1 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$ne_port/" 2>/dev/null && break
    sleep 0.1
done
read -r ne_rps ne_errors < <(run_wrk node-exporter "http://127.0.0.1:$ne_port/")
kill "$ne_pid"; wait "$ne_pid" 2>/dev/null || true; ne_pid=""

if [[ -n "$target_url" ]]; then
    read -r ls_rps ls_errors < <(run_wrk lanscope "$target_url")
    label="$target_url"
else
    LANSCOPE_HTTP_BENCH=1 LANSCOPE_HTTP_BENCH_DURATION="$duration" \
        swift test -c release -Xswiftc -enable-testing --filter "BenchmarkTests.server_reportsThroughput_underWrk" > "$workdir/lanscope.txt" 2>&1 \
        || { cat "$workdir/lanscope.txt" >&2; exit 1; }
    read -r ls_rps ls_errors < <(summarise "$workdir/lanscope.txt")
    label="HTTPServer (in-process test server)"
fi

printf '%-40s %12s req/s  errors %s\n' "prometheus-node-exporter /" "$ne_rps" "$ne_errors"
printf '%-40s %12s req/s  errors %s\n' "$label" "$ls_rps" "$ls_errors"
awk -v a="$ls_rps" -v b="$ne_rps" 'BEGIN { if (b > 0) printf "ratio lanscope / node-exporter: %.2f\n", a / b }'
