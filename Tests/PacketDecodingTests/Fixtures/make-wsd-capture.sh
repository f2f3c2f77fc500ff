#!/bin/bash
# Makes wsd-wsdd.pcap: real WS-Discovery traffic from Debian's wsdd (a WS-Discovery host daemon) between two
# network namespaces of our own: host A announces itself (Hello), host B runs wsdd in discovery mode (Probe,
# then Resolve), A answers (ProbeMatches, ResolveMatches) and leaves (Bye). Root; traffic stays on the veth.
# Usage: make-wsd-capture.sh OUT.pcap
set -euo pipefail
out=${1:?usage: make-wsd-capture.sh OUT.pcap}
a=lswsd-a-$$ b=lswsd-b-$$
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 0.3
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add wsda type veth peer name wsdb
ip link set wsda netns "$a"
ip link set wsdb netns "$b"
ip -n "$a" addr add 10.77.0.1/24 dev wsda
ip -n "$b" addr add 10.77.0.2/24 dev wsdb
ip -n "$a" link set wsda address 02:77:00:00:00:01
ip -n "$b" link set wsdb address 02:77:00:00:00:02
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set wsda up
ip -n "$b" link set wsdb up
ip netns exec "$b" tcpdump -i wsdb -U -w "$out" udp port 3702 2>/dev/null &
pids+=($!)
sleep 1
ip netns exec "$a" wsdd -4 -i wsda -n wsd-host-a -t -U 6f2d1f7c-2a4b-4c51-9a0e-0a7700000001 2>/dev/null &
pids+=($!)
sleep 2
timeout 4 ip netns exec "$b" wsdd -4 -i wsdb -n wsd-host-b -t -D -U 6f2d1f7c-2a4b-4c51-9a0e-0a7700000002 2>/dev/null || true
kill "${pids[1]}" 2>/dev/null || true   # host A says Bye
sleep 1.5
kill "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true
