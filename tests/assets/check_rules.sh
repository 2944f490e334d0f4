#!/usr/bin/env bash
# Validates the Prometheus rules and tests, the Alertmanager config and its
# routing, and the compose stack's Prometheus config.
# Run from the repository root (ctest does): bash tests/assets/check_rules.sh
set -euo pipefail

rules=alerts/pgconn.rules.yml
am=alertmanager/alertmanager.yml

for tool in promtool amtool; do
  command -v "$tool" >/dev/null || { echo "check_rules: $tool not found (apt-get install prometheus prometheus-alertmanager)"; exit 1; }
done

promtool check rules "$rules"
promtool test rules alerts/tests/*.yml
amtool check-config "$am"

# Routing: each severity reaches its receiver.
route() { amtool config routes test --config.file="$am" "$@" 2>/dev/null; }
fail=0
for pair in critical:pager warning:tickets info:info; do
  sev=${pair%%:*} want=${pair#*:}
  got=$(route alertname=PgconnTest severity="$sev")
  if [ "$got" != "$want" ]; then
    echo "check_rules: severity=$sev routes to '$got', want '$want'"; fail=1
  fi
done

# deploy/prometheus.yml loads rules/pgconn.rules.yml relative to itself, as
# mounted in docker-compose.yml: check it in the same layout.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/rules"
cp deploy/prometheus.yml "$tmp/prometheus.yml"
cp "$rules" "$tmp/rules/pgconn.rules.yml"
promtool check config "$tmp/prometheus.yml"

[ "$fail" -eq 0 ] && echo "check_rules: ok"
exit "$fail"
