#!/usr/bin/env bash
# Runs every benchmark (replay, HTTP, detectors, BPF) and ends with one table of the headline figures, each
# next to the reference it was measured against in the same run. BPF needs root and is reported
# as skipped otherwise. Each benchmark's own output is printed as it runs.
set -uo pipefail

cd "$(dirname "$0")/../.."
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

declare -A status
for name in replay http detect bpf; do
    echo "=== bench-$name"
    if [[ "$name" == bpf && "$(id -u)" != 0 ]]; then
        status[$name]="skipped (needs root)"
        continue
    fi
    bash "Tests/Benchmarks/bench-$name.sh" 2>&1 | tee "$logdir/$name.log"
    rc=${PIPESTATUS[0]}
    status[$name]=$([[ $rc == 0 ]] && echo ok || echo "failed ($rc)")
done

# "SUMMARY name k=v k=v" -> value of k
field() { awk -v n="$1" -v k="$2" '$1 == "SUMMARY" && $2 == n { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$logdir/$1.log" 2>/dev/null; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "") print "-"; else if ((op == "ge" && v + 0 >= t) || (op == "le" && v + 0 <= t)) print "met"; else print "MISSED" }'; }

echo
echo "=== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %-16s %-14s %s\n' "figure" "value" "target" "verdict"
row() { printf '%-44s %-16s %-14s %s\n' "$1" "${2:--}" "$3" "$4"; }
v=$(field replay lanscope_pps); row "replay: lanscope packets/s" "$v" ">= 1000000" "$(verdict "$v" 1000000 ge)"
v=$(field replay ratio); row "replay: time vs tcpdump -r -w /dev/null" "${v:+${v}x}" "<= 3x" "$(verdict "$v" 3 le)"
v=$(field http healthy_ratio); row "http: /-/healthy vs node_exporter /" "${v:+${v}x}" ">= 1x" "$(verdict "$v" 1 ge)"
v=$(field http metrics_ratio); row "http: /metrics (100) vs node_exporter" "${v:+${v}x}" ">= 10x" "$(verdict "$v" 10 ge)"
v=$(field http metrics10k_ms); row "http: /metrics 10k devices, median" "${v:+$v ms}" "<= 20 ms" "$(verdict "$v" 20 le)"
v=$(field http devices10k_ms); row "http: /devices.json 10k devices, median" "${v:+$v ms}" "<= 50 ms" "$(verdict "$v" 50 le)"
v=$(field detect ratio); row "detect: replay, every detector vs without" "${v:+${v}x}" "<= 1.10x" "$(verdict "$v" 1.10 le)"
v=$(field detect peak_rss_kib); row "detect: peak RSS, 100k-MAC flood + scan" "${v:+$((v / 1024)) MiB}" "(reported)" "-"
v=$(field bpf counted_xdp_over_floor_ns); row "bpf: xdp per counted packet, over XDP_PASS" "${v:++$v ns}" "<= 30 ns" "$(verdict "$v" 30 le)"
v=$(field bpf counted_tc_over_floor_ns); row "bpf: tc per counted packet, over XDP_PASS" "${v:++$v ns}" "<= 30 ns" "$(verdict "$v" 30 le)"
v=$(field bpf counted_xdp_ratio); row "bpf: xdp per counted packet vs XDP_PASS" "${v:+${v}x}" "(reported)" "-"
v=$(field bpf xdp_ratio); row "bpf: xdp per packet, mix with hand-ups" "${v:+${v}x}" "(reported)" "-"
v=$(field bpf tc_ratio); row "bpf: tc per packet vs XDP_PASS" "${v:+${v}x}" "(reported)" "-"
v=$(field bpf map_read_10k_cpu_ms); row "bpf: map read 10k devices (table only)" "${v:+$v ms}" "(reported)" "-"
v=$(field bpf ebpf_scrape_10k_ms); row "bpf: eBPF /metrics 10k devices, read+render" "${v:+$v ms}" "<= 25 ms" "$(verdict "$v" 25 le)"
v=$(field bpf ebpf_scrape_10k_24classes_ms); row "bpf: the same, all 24 classes per device" "${v:+$v ms}" "<= 25 ms" "$(verdict "$v" 25 le)"
for name in replay http detect bpf; do echo "bench-$name: ${status[$name]}"; done
