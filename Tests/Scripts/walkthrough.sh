#!/usr/bin/env bash
# Follows the README section "Prometheus, Grafana and alerts in ten minutes" command by command, with the
# shipped configuration files unchanged, and checks at each step what the README says the user sees.
# As far as this machine allows: lanscope replays the bundled capture instead of watching an interface,
# and Grafana (not packaged for Debian 12) is only checked by `make checkconfigs` (its provisioning).
# It runs in a private network namespace (unshare --net, root) so the README's ports (9184, 9090, 9093)
# are its own loopback's; every daemon is stopped by its pid; every wait is bounded.
# Usage: walkthrough.sh [LANSCOPE_BINARY]   (default: .build/debug/lanscope, else lanscope on PATH)
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${WALKTHROUGH_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "walkthrough: needs root (private network namespace)" >&2; exit 1; }
  exec unshare --net env WALKTHROUGH_NETNS=1 bash "$0" "$@"
fi
ip link set lo up

lanscope=${1:-.build/debug/lanscope}
[ -x "$lanscope" ] || lanscope=$(command -v lanscope) || { echo "walkthrough: no lanscope binary" >&2; exit 1; }
alertmanager=$(command -v alertmanager || command -v prometheus-alertmanager) \
  || { echo "walkthrough: alertmanager missing (make deps-test)" >&2; exit 1; }
for tool in prometheus promtool amtool curl python3; do
  command -v $tool > /dev/null || { echo "walkthrough: $tool missing (make deps-test)" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
failed=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
step() { echo; echo "== step $*"; }
fail() { echo "walkthrough: FAIL: $*" >&2; failed=$((failed + 1)); }
# wait_for SECONDS DESCRIPTION COMMAND...: polls once a second, at most SECONDS times.
wait_for() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds; i++)); do
    if "$@" > /dev/null 2>&1; then echo "ok: $what (${i} s)"; return 0; fi
    sleep 1
  done
  fail "$what: not within $seconds s"
  return 1
}
promql() { # the value of an instant query's first sample, or nothing
  curl -fsS --get --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}

step "1: lanscope serving the bundled sample LAN"
"$lanscope" run --pcap deploy/samples/lan.pcap --listen 127.0.0.1:9184 --db "$tmp/lanscope.db" \
  > "$tmp/lanscope.log" 2>&1 &
pids+=($!)
wait_for 30 "lanscope is ready (curl http://127.0.0.1:9184/-/ready)" curl -fsS http://127.0.0.1:9184/-/ready
devices=$(curl -fsS http://127.0.0.1:9184/metrics | grep -E '^lanscope_devices\{state="online"\}')
echo "$devices"
[ "$devices" = 'lanscope_devices{state="online"} 7' ] || fail "expected 7 online devices, got: $devices"

step "2: the shipped Prometheus configuration checks"
promtool check config deploy/prometheus/prometheus.yml || fail "promtool check config"

step "3: Alertmanager with the shipped configuration"
"$alertmanager" --config.file=deploy/alertmanager/alertmanager.yml --storage.path="$tmp/alertmanager" \
  --web.listen-address=127.0.0.1:9093 --cluster.listen-address= > "$tmp/alertmanager.log" 2>&1 &
pids+=($!)
wait_for 30 "Alertmanager is ready (curl http://127.0.0.1:9093/-/ready)" curl -fsS http://127.0.0.1:9093/-/ready

step "4: Prometheus with the shipped configuration and rules"
prometheus --config.file=deploy/prometheus/prometheus.yml --storage.tsdb.path="$tmp/prometheus" \
  --web.listen-address=127.0.0.1:9090 > "$tmp/prometheus.log" 2>&1 &
pids+=($!)
wait_for 30 "Prometheus is ready (curl http://127.0.0.1:9090/-/ready)" curl -fsS http://127.0.0.1:9090/-/ready
target_up() { [ "$(promql 'up{job="lanscope"}')" = 1 ]; }
wait_for 90 'the lanscope target is up (up{job="lanscope"} = 1)' target_up || tail -20 "$tmp/prometheus.log"
echo "lanscope_devices{state=\"online\"} in Prometheus: $(promql 'sum(lanscope_devices{state="online"})')"

step "5: LanscopeNewDevice fires and reaches Alertmanager"
new_device() {
  amtool alert query --alertmanager.url=http://127.0.0.1:9093 alertname=LanscopeNewDevice | grep -q LanscopeNewDevice
}
if wait_for 120 "amtool alert query alertname=LanscopeNewDevice lists the alert" new_device; then
  amtool alert query --alertmanager.url=http://127.0.0.1:9093 alertname=LanscopeNewDevice
else
  tail -20 "$tmp/prometheus.log" "$tmp/alertmanager.log"
fi

step "6: Grafana"
if command -v grafana-server > /dev/null; then
  echo "grafana-server found but not started by this script: its provisioning is checked by make checkconfigs"
else
  echo "skipped: Grafana is not installed here (not in Debian 12); make checkconfigs checks its provisioning"
fi

echo
if [ "$failed" = 0 ]; then echo "walkthrough: every step as the README says"; else echo "walkthrough: $failed step(s) failed"; fi
[ "$failed" = 0 ]
