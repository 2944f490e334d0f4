#!/usr/bin/env bash
# The mixin is the one source of the rules and dashboards:
# 1. a fresh rendering equals the committed alerts/pgconn.rules.yml and
#    dashboards/*.json (edit mixin/, then run scripts/render-mixin.sh);
# 2. rendered with another scrape job (pgconnSelector: 'job="dbmon"') no
#    job="pgconn" remains, and promtool accepts the rules and passes the unit
#    tests with their series and expectations moved to job="dbmon";
# 3. rendered with a selector holding a backslash (job=~"db\\.mon") and an
#    https runbookURLPattern, every runbook_url is https, and the alerts that
#    look the exporter up by query link to it (promtool evaluates the query).
# Run from the repository root (ctest does): bash tests/assets/check_mixin.sh
set -euo pipefail

for tool in jsonnet promtool; do
  command -v "$tool" >/dev/null || { echo "check_mixin: $tool not found (bash scripts/install-deps.sh)"; exit 1; }
done
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

bash scripts/render-mixin.sh "$tmp/fresh"
for committed in alerts/pgconn.rules.yml dashboards/*.json; do
  if ! diff -u "$committed" "$tmp/fresh/$committed" >"$tmp/diff"; then
    echo "check_mixin: $committed differs from the mixin's rendering (run bash scripts/render-mixin.sh):"
    head -40 "$tmp/diff"; fail=1
  fi
done
for rendered in "$tmp"/fresh/dashboards/*.json; do
  [ -e "dashboards/${rendered##*/}" ] || { echo "check_mixin: dashboards/${rendered##*/} is rendered but not committed"; fail=1; }
done

cat >"$tmp/dbmon.libsonnet" <<JSONNET
(import '$repo/mixin/mixin.libsonnet') + { _config+:: { pgconnSelector: 'job="dbmon"' } }
JSONNET
bash scripts/render-mixin.sh "$tmp/dbmon" "$tmp/dbmon.libsonnet"
rules="$tmp/dbmon/alerts/pgconn.rules.yml"
if grep -n 'job=\\*"pgconn\\*"' "$rules" "$tmp"/dbmon/dashboards/*.json; then
  echo "check_mixin: job=\"pgconn\" left in the rendering with pgconnSelector job=\"dbmon\" (lines above)"; fail=1
fi
for f in "$rules" "$tmp"/dbmon/dashboards/pgconn-overview.json; do
  grep -q 'job=\\*"dbmon\\*"' "$f" || { echo "check_mixin: job=\"dbmon\" missing from $f"; fail=1; }
done
promtool check rules "$rules"
mkdir "$tmp/dbmon/alerts/tests"
for t in alerts/tests/*.yml; do
  # The series, their expected labels and the descriptions naming the job.
  sed -e 's/job="pgconn"/job="dbmon"/g' -e 's/job: pgconn\b/job: dbmon/g' \
      -e 's/job pgconn\b/job dbmon/g' -e 's#(pgconn/#(dbmon/#g' "$t" >"$tmp/dbmon/$t"
done
grep -n 'job="pgconn"\|job: pgconn' "$tmp"/dbmon/alerts/tests/*.yml && { echo "check_mixin: tests still name job pgconn"; fail=1; }
promtool test rules "$tmp"/dbmon/alerts/tests/*.yml

cat >"$tmp/tls.libsonnet" <<'JSONNET'
(import 'mixin/mixin.libsonnet') + { _config+:: {
  pgconnSelector: 'job=~"db\\\\.mon"',
  runbookURLPattern: 'https://{{ $labels.instance }}/runbook#%s',
} }
JSONNET
(cd "$repo" && bash scripts/render-mixin.sh "$tmp/tls" "$tmp/tls.libsonnet")
if grep -n 'runbook_url:' "$tmp/tls/alerts/pgconn.rules.yml" | grep -v 'https://'; then
  echo "check_mixin: runbook_url not https with an https runbookURLPattern (lines above)"; fail=1
fi
mkdir "$tmp/tls/alerts/tests"
cat >"$tmp/tls/alerts/tests/runbook_test.yml" <<'YAML'
rule_files: [../pgconn.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="db.mon",instance="exporter:9188"}'
        values: '1x20'
      - series: 'pgconn_pool_utilization_ratio{job="orders",instance="orders-1:8080",pool="orders"}'
        values: '0.9x20'
    alert_rule_test:
      - eval_time: 12m
        alertname: PgconnPoolUtilizationHigh
        exp_alerts:
          - exp_labels: {severity: warning, alertgroup: pool-capacity, job: orders, instance: "orders-1:8080", pool: orders}
            exp_annotations:
              summary: A connection pool is more than 80% in use.
              description: Pool orders (orders/orders-1:8080) has been 90% in use for 10 minutes.
              runbook_url: https://exporter:9188/runbook#pgconnpoolutilizationhigh
YAML
promtool test rules "$tmp/tls/alerts/tests/runbook_test.yml" || fail=1

[ "$fail" -eq 0 ] && echo "check_mixin: ok"
exit "$fail"
