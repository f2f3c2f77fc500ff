#!/usr/bin/env bash
# What the anomaly detectors cost, against lanscope without them, measured in the same run.
#
#   Tests/Benchmarks/bench-detect.sh
#
# 1. Replay time. Writes a large mixed capture with an ARP sweep and SYN scans in it
#    (make_large_capture.py --attacks; FRAMES frames, DEVICES devices), then RUNS times each, alternating:
#      lanscope replay FILE --db <fresh> --detection-config <every detector but new_device disabled>
#                                                      (the stages that existed before: classifier + new_device)
#      lanscope replay FILE --db <fresh>               (every detector, defaults)
#    Prints best and median wall time of each, and CPU time, and the ratio (target: detectors add <= 10 %), and which
#    events the detectors raised (the scan and the sweep must be among them).
# 2. State bound. Writes a capture with FLOOD_MACS source MACs (each one ARP who-has and one SYN), 100 DHCP
#    servers and routers, and a full-range (1-65535) SYN scan (make_flood_capture.py); replays it under
#    /usr/bin/time -v with every detector and, as the reference, with the detectors disabled; prints peak
#    RSS (VmHWM) of both and each stage's state entries and cap refusals (`lanscope replay --json`
#    "stages", the figures behind lanscope_stage_state_{entries,dropped_total}).
# Best-of-N wall time is the headline (the machine is shared; slower runs measure the neighbours); the
# CPU time (user + system) of each is printed beside it, steadier under load.
# Environment: FRAMES (2000000), DEVICES (300), RUNS (5), FLOOD_MACS (100000), LANSCOPE.
set -euo pipefail

cd "$(dirname "$0")/../.."
frames=${FRAMES:-2000000}
devices=${DEVICES:-300}
runs=${RUNS:-5}
flood_macs=${FLOOD_MACS:-100000}
lanscope=${LANSCOPE:-.build/release/lanscope}

[[ -x "$lanscope" ]] || { echo "missing $lanscope (make release)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# The stages that existed before the detectors: the classifier (always on) and new_device.
baseline="$workdir/baseline.conf"
for kind in port_scan arp_sweep arp_spoof ip_conflict rogue_dhcp rogue_ra traffic_spike identity_change device_offline; do
    printf '[%s]\nenabled = false\n\n' "$kind"
done > "$baseline"

capture="$workdir/large.pcap"
/usr/bin/python3 Tests/Benchmarks/make_large_capture.py "$capture" --frames "$frames" --devices "$devices" --attacks
cat "$capture" > /dev/null
echo "capture: $frames frames, $devices devices, $(( $(stat -c %s "$capture") / 1048576 )) MiB, with a sweep and scans"

# "wall_ms cpu_ms" of one command (CPU = user + system, from /usr/bin/time: steadier than wall time on a
# shared machine); its standard output goes to $workdir/out.json.
time_ms() {
    /usr/bin/time -f "%e %U %S" -o "$workdir/time" "$@" > "$workdir/out.json" 2>"$workdir/stderr" \
        || { cat "$workdir/stderr" >&2; return 1; }
    awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$workdir/time"
}

# "kind=count ..." from a replay's --json summary.
anomalies() { /usr/bin/python3 -c 'import json,sys; print(" ".join("%s=%d" % kv for kv in sorted(json.load(open(sys.argv[1]))["anomalies"].items())) or "none")' "$1"; }

without_ms=(); with_ms=(); without_cpu=(); with_cpu=()
for i in $(seq 1 "$runs"); do
    read -r wall cpu < <(time_ms "$lanscope" replay "$capture" --db "$workdir/a$i.db" --json --detection-config "$baseline")
    without_ms+=("$wall"); without_cpu+=("$cpu")
    rm -f "$workdir/a$i.db"*
    read -r wall cpu < <(time_ms "$lanscope" replay "$capture" --db "$workdir/b$i.db" --json)
    with_ms+=("$wall"); with_cpu+=("$cpu")
    rm -f "$workdir/b$i.db"*
    echo "run $i: classifier + new_device ${without_ms[-1]} ms (CPU ${without_cpu[-1]} ms), every detector ${with_ms[-1]} ms (CPU ${with_cpu[-1]} ms)"
done
raised=$(anomalies "$workdir/out.json")
echo "events with every detector: $raised"
for kind in port_scan arp_sweep; do
    [[ "$raised" == *"$kind="* ]] || { echo "the detectors did not raise $kind on the capture" >&2; exit 1; }
done

best() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
a_best=$(best "${without_ms[@]}"); a_median=$(median "${without_ms[@]}")
b_best=$(best "${with_ms[@]}"); b_median=$(median "${with_ms[@]}")
a_cpu=$(best "${without_cpu[@]}"); b_cpu=$(best "${with_cpu[@]}")
load=$(cut -d' ' -f1-3 /proc/loadavg)

awk -v n="$frames" -v ab="$a_best" -v am="$a_median" -v bb="$b_best" -v bm="$b_median" -v ac="$a_cpu" -v bc="$b_cpu" \
    -v runs="$runs" -v load="$load" 'BEGIN {
    printf "\nreplay of %d frames, best (median) of %d runs, load average %s\n", n, runs, load
    printf "  %-36s %8d ms (%d)  %12.0f packets/s\n", "classifier + new_device only", ab, am, n / (ab / 1000)
    printf "  %-36s %8d ms (%d)  %12.0f packets/s\n", "every detector", bb, bm, n / (bb / 1000)
    ratio = bb / ab
    printf "  ratio every detector / without: %.3f (median %.3f); CPU time (user + sys), best: %d / %d ms = %.3f\n", ratio, bm / am, bc, ac, bc / ac
    printf "  target <= 1.10 (wall, best of %d): %s\n", runs, (ratio <= 1.10 ? "met" : "MISSED")
}'

flood="$workdir/flood.pcap"
/usr/bin/python3 Tests/Benchmarks/make_flood_capture.py "$flood" --macs "$flood_macs"
# Peak RSS in KiB (the kernel's VmHWM, as /usr/bin/time -v reports it) and the --json summary.
peak_kib() {
    /usr/bin/time -v "$@" > "$workdir/flood.json" 2> "$workdir/time.txt" || { cat "$workdir/time.txt" >&2; return 1; }
    awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$workdir/time.txt"
}
rss_without=$(peak_kib "$lanscope" replay "$flood" --db "$workdir/fa.db" --json --detection-config "$baseline")
rss_with=$(peak_kib "$lanscope" replay "$flood" --db "$workdir/fb.db" --json)
echo
echo "state bound: $flood_macs source MACs + 100 DHCP servers/routers + a 1-65535 SYN scan, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  peak RSS, classifier + new_device only: $(( rss_without / 1024 )) MiB"
echo "  peak RSS, every detector:               $(( rss_with / 1024 )) MiB (+$(( (rss_with - rss_without) / 1024 )) MiB)"
echo "  events: $(anomalies "$workdir/flood.json")"
/usr/bin/python3 - "$workdir/flood.json" <<'EOF'
import json, sys
summary = json.load(open(sys.argv[1]))
print("  devices in the inventory: %d" % summary["devices"])
print("  %-18s %10s %12s" % ("stage", "entries", "cap refused"))
for stage in summary["stages"]:
    print("  %-18s %10d %12d" % (stage["name"], stage["entries"], stage["dropped"]))
EOF
ratio=$(awk -v a="$a_best" -v b="$b_best" 'BEGIN { printf "%.3f", b / a }')
cpu_ratio=$(awk -v a="$a_cpu" -v b="$b_cpu" 'BEGIN { printf "%.3f", b / a }')
echo "SUMMARY detect ratio=$ratio cpu_ratio=$cpu_ratio with_ms=$b_best without_ms=$a_best peak_rss_kib=$rss_with peak_rss_without_kib=$rss_without"
