#!/usr/bin/env bash
# lanscope end to end: a LAN in network namespaces with real daemons playing the devices (see
# README.md here). Needs root; without it prints why and exits 0, unless LANSCOPE_REQUIRE_PRIVILEGED=1.
# Ends with "N passed, N failed[, N skipped]" and exits non-zero on any failure.
#
# Environment: LANSCOPE_BIN (default <repo>/.build/debug/lanscope, built if missing),
# LANSCOPE_E2E_LAN_ONLY=1 (only the LAN-side tests; the lanscope ones are reported as skipped),
# LANSCOPE_E2E_KEEP=1 (keep the work directory with every log and capture).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON=/usr/bin/python3
export PATH="$PATH:/usr/sbin:/sbin"

if [ "$(id -u)" != 0 ]; then
  if [ "${LANSCOPE_REQUIRE_PRIVILEGED:-0}" = 1 ]; then
    echo "end-to-end: needs root (network namespaces, XDP/TC, tcpdump);" \
      "LANSCOPE_REQUIRE_PRIVILEGED=1 forbids skipping" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "end-to-end: skipped, needs root (network namespaces, XDP/TC, tcpdump)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

# tool -> Debian package that ships it
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (Debian package $2)"); }
need ip iproute2; need bridge iproute2; need ss iproute2; need tc iproute2; need sysctl procps
need unshare util-linux; need ethtool ethtool; need dnsmasq dnsmasq-base; need dhclient isc-dhcp-client
need busybox busybox; need avahi-daemon avahi-daemon; need tcpdump tcpdump; need tshark tshark
need tcpreplay tcpreplay; need ping iputils-ping; need curl curl
need nmap nmap; need arpspoof dsniff; need iperf3 iperf3  # DetectionTests' attack tools
[ -x "$PYTHON" ] || missing+=("$PYTHON (Debian package python3)")
"$PYTHON" -c 'import scapy.all' 2>/dev/null || missing+=("scapy for $PYTHON (Debian package python3-scapy)")
"$PYTHON" -c 'import prometheus_client.parser' 2>/dev/null \
  || missing+=("prometheus_client for $PYTHON (Debian package python3-prometheus-client)")
busybox --list 2>/dev/null | grep -qx udhcpc || missing+=("busybox udhcpc applet (Debian package busybox)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'end-to-end: missing %s\n' "${missing[@]}" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

if [ "${LANSCOPE_E2E_LAN_ONLY:-0}" != 1 ]; then
  bin="${LANSCOPE_BIN:-$REPO/.build/debug/lanscope}"
  if [ -z "${LANSCOPE_BIN:-}" ] && [ ! -x "$bin" ]; then
    echo "end-to-end: $bin missing, building it" >&2
    (cd "$REPO" && PATH="/opt/swift/usr/bin:$PATH" swift build --product lanscope) >&2 \
      || echo "end-to-end: build failed; the lanscope tests will fail" >&2
  fi
fi

workdir="$(mktemp -d /tmp/lanscope-e2e.XXXXXX)"
summary="$workdir/summary"
suite_pid=""

# Fallback teardown by the records the suite wrote (it tears down itself first): pids (checked
# against their start time so a reused pid is never hit), then namespaces.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$suite_pid" ] && kill -0 "$suite_pid" 2>/dev/null; then
    kill -TERM "$suite_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$suite_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$suite_pid" 2>/dev/null
  fi
  if [ -f "$workdir/state" ]; then
    while read -r kind a b; do
      [ "$kind" = pid ] || continue
      if [ -r "/proc/$a/stat" ] && [ "$(sed 's/^.*) //' "/proc/$a/stat" | cut -d' ' -f20)" = "$b" ]; then
        echo "end-to-end: stopping leftover pid $a" >&2
        kill -TERM "$a" 2>/dev/null
      fi
    done < "$workdir/state"
    sleep 0.5
    while read -r kind a _; do
      [ "$kind" = netns ] || continue
      if ip netns list | awk '{print $1}' | grep -qx "$a"; then
        echo "end-to-end: deleting leftover namespace $a" >&2
        ip netns del "$a" 2>/dev/null
      fi
    done < "$workdir/state"
  fi
  local line
  line="$(tail -n 1 "$summary" 2>/dev/null)"
  if [ -z "$line" ]; then
    line="0 passed, 1 failed"
    status=1
  fi
  if [ "$status" != 0 ] || [ "${LANSCOPE_E2E_KEEP:-0}" = 1 ]; then
    echo "end-to-end: logs and captures kept in $workdir" >&2
  else
    rm -rf "$workdir"
  fi
  echo "$line"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$HERE"
LANSCOPE_E2E_WORKDIR="$workdir" LANSCOPE_E2E_PREFIX="ls$$" LANSCOPE_E2E_SUMMARY="$summary" \
  "$PYTHON" -u "$HERE/test_e2e.py" "$@" &
suite_pid=$!
wait "$suite_pid"
status=$?
suite_pid=""
exit "$status"
