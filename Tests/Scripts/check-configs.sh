#!/usr/bin/env bash
# Every shipped monitoring configuration through the real tools: `make checkconfigs` (CI).
# - deploy/prometheus/prometheus.yml as shipped, in place (no file to create);
# - deploy/prometheus/prometheus-auth.yml with the two secret files it names created in a scratch copy
#   (their /etc/prometheus/ paths redirected there; promtool insists they exist);
# - every deploy/alertmanager/*.yml with amtool;
# - the alerting rules (promtool check rules, promtool test rules);
# - deploy/compose.yml (Tests/Scripts/check-compose.py: mounts exist, mounted configs pass the tools).
set -uo pipefail
cd "$(dirname "$0")/../.."
failures=0
fail() { echo "checkconfigs: FAIL: $*" >&2; failures=$((failures + 1)); }
for tool in promtool amtool python3; do
  command -v $tool > /dev/null || { echo "checkconfigs: $tool missing (make deps-test)" >&2; exit 1; }
done

echo "== deploy/prometheus/prometheus.yml (as shipped)"
promtool check config deploy/prometheus/prometheus.yml || fail "prometheus.yml"

echo "== deploy/prometheus/prometheus-auth.yml (secret files created in a scratch copy)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/deploy/prometheus" "$scratch/alerting-rules" "$scratch/secrets"
cp alerting-rules/lanscope.rules.yml "$scratch/alerting-rules/"
sed "s|/etc/prometheus/|$scratch/secrets/|g" deploy/prometheus/prometheus-auth.yml > "$scratch/deploy/prometheus/prometheus-auth.yml"
for f in $(grep -oE '/etc/prometheus/[A-Za-z0-9._-]+' deploy/prometheus/prometheus-auth.yml | sort -u); do
  echo example > "$scratch/secrets/$(basename "$f")"
done
promtool check config "$scratch/deploy/prometheus/prometheus-auth.yml" || fail "prometheus-auth.yml"

for f in deploy/alertmanager/*.yml; do
  echo "== $f"
  amtool check-config "$f" || fail "$f"
done

echo "== alerting rules"
promtool check rules alerting-rules/*.yml || fail "promtool check rules"
promtool test rules alerting-rules/tests/*.yml || fail "promtool test rules"

echo "== deploy/compose.yml"
python3 Tests/Scripts/check-compose.py . || fail "compose.yml"

n=$(( $(ls deploy/alertmanager/*.yml | wc -l) + 5 ))
echo "checkconfigs: $((n - failures)) of $n configuration checks passed"
[ "$failures" = 0 ]
