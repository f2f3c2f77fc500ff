#!/usr/bin/env bash
# `lanscope top` against 10,000 devices (issue 12 targets: redraw <= 50 ms, <= 5 % of a core at a 1 s refresh).
#
#   Tests/Benchmarks/bench-top.sh        (make bench-top)
#
# 1. Generates a capture with 10,000 devices (make_large_capture.py) and serves it with
#    `lanscope run --pcap --no-db` on loopback.
# 2. `lanscope top --benchmark FRAMES`: refreshes and redraws without a terminal, timed by phase
#    (fetch, decode, sort, redraw = layout + diff), plus CPU time per refresh from getrusage.
# 3. The real thing: `lanscope top --interval 1` in a private tmux server (160×48) for SECONDS;
#    its CPU share is read from /proc/PID/stat (utime + stime) over that time.
# Everything started here is recorded by pid / socket name and stopped at the end.
# Environment: FRAMES (30), SECONDS_CPU (30), PORT (19186), LANSCOPE (.build/release/lanscope).
set -euo pipefail

cd "$(dirname "$0")/../.."
frames=${FRAMES:-30}
seconds=${SECONDS_CPU:-30}
port=${PORT:-19186}
lanscope=${LANSCOPE:-.build/release/lanscope}
url="http://127.0.0.1:$port"

for tool in curl tmux; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install curl tmux)" >&2; exit 2; }
done
[[ -x "$lanscope" ]] || { echo "missing $lanscope (make release)" >&2; exit 2; }

workdir=$(mktemp -d)
socket="lanscope-bench-top-$$"
ls_pid=""
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$socket"  # the socket file can outlive its server
    if [[ -n "$ls_pid" ]]; then kill "$ls_pid" 2>/dev/null || true; wait "$ls_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

echo "generating a capture with 10,000 devices..."
/usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$workdir/lan10k.pcap" --devices 9999 --frames 200000
"$lanscope" run --pcap "$workdir/lan10k.pcap" --listen "127.0.0.1:$port" --no-db > "$workdir/lanscope.log" 2>&1 &
ls_pid=$!

# Ready, and the replay finished: the device count stops changing (bounded: 120 s).
previous=-1
devices=0
for _ in $(seq 1 240); do
    devices=$(curl -fsS -D - -o /dev/null "$url/devices.json?limit=0" 2>/dev/null \
        | tr -d '\r' | awk -F': ' 'tolower($1) == "x-total-count" { print $2 }' || true)
    devices=${devices:-0}
    if [[ "$devices" -ge 10000 && "$devices" == "$previous" ]]; then break; fi
    previous=$devices
    sleep 0.5
done
[[ "$devices" -ge 10000 ]] || { echo "lanscope serves $devices devices, expected 10,000" >&2; cat "$workdir/lanscope.log" >&2; exit 1; }
json_bytes=$(curl -fsS "$url/devices.json" | wc -c)
metrics_bytes=$(curl -fsS "$url/metrics" | wc -c)

echo
"$lanscope" top --url "$url" --benchmark "$frames"

tmux -L "$socket" -f /dev/null new-session -d -s top -x 160 -y 48 "'$lanscope' top --url $url --interval 1"
sleep 3  # first scrapes and the first full frame
shell=$(tmux -L "$socket" display-message -p -t top '#{pane_pid}')
top_pid=$(cat "/proc/$shell/task/$shell/children" 2>/dev/null | awk '{print $1}')
[[ -n "$top_pid" ]] || top_pid=$shell  # tmux may exec the command in place of the shell
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks "$top_pid")
sleep "$seconds"
after=$(ticks "$top_pid")
tmux -L "$socket" capture-pane -p -t top | head -4 > "$workdir/screen.txt"
cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f", t / hz / s * 100 }')

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "/devices.json: $json_bytes bytes, /metrics: $metrics_bytes bytes, $devices devices"
echo "lanscope top --interval 1 in tmux (160×48) for ${seconds} s: ${cpu} % of a core (target <= 5 %), load average $load"
echo "its screen:"
sed 's/^/  | /' "$workdir/screen.txt"
