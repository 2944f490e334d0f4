// The Grafana dashboards, file name -> dashboard; scripts/render-mixin.sh
// writes each to dashboards/<file name>.
{
  grafanaDashboards+:: {
    'pgconn-overview.json': (import 'dashboards/overview.libsonnet')($._config),
    'pgconn-applications.json': (import 'dashboards/applications.libsonnet')($._config),
    'pgconn-pools.json': (import 'dashboards/pools.libsonnet')($._config),
  },
}
