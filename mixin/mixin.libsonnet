// The pgconn_exporter monitoring mixin (monitoring-mixins conventions): the
// one source of alerts/pgconn.rules.yml and dashboards/*.json, rendered by
// scripts/render-mixin.sh. Plain jsonnet, no library.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards.libsonnet')
