// Grafana building blocks shared by the pgconn dashboards: variables, panels
// and the row/grid layout. Selector conventions: every pgconn_* selector
// carries job=~"$job" and target=~"$target". In-process pool metrics
// (pgconn_pool_*) use target=~"$target|" instead, because pools embedded in
// applications have no `target` label (only the exporter's own pools do);
// the extra empty alternative keeps them visible. Panels about the
// PostgreSQL server behind a PgBouncer target select
// target=~"$server_target", a hidden variable holding the server_target of
// the poolers selected in $target, so the server stays visible when $target
// names only the pooler. tests/assets/lint_dashboards.py checks the result.
local ds = { type: 'prometheus', uid: '${datasource}' };
{
  sel: 'job=~"$job", target=~"$target"',
  poolSel: 'job=~"$job", target=~"$target|", pool=~"$pool"',

  // ------------------------------------------------------------ variables
  datasourceVar():: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    regex: '',
    refresh: 1,
    options: [],
    includeAll: false,
    multi: false,
  },

  queryVar(name, label, query, all_value='.+', multi=true):: {
    name: name,
    label: label,
    type: 'query',
    datasource: ds,
    definition: query,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    current: {},
    hide: 0,
    includeAll: true,
    allValue: all_value,
    multi: multi,
    refresh: 2,
    regex: '',
    sort: 1,
    options: [],
  },

  // The PostgreSQL targets behind the poolers selected in $target (hidden).
  // All of them by default: no allValue, so "All" means exactly the linked
  // targets.
  serverTargetVar()::
    std.mergePatch(self.queryVar(
      'server_target',
      'Server behind the pooler',
      'label_values(pgconn_pooler_link_info{job=~"$job", target=~"$target"}, server_target)'
    ), { allValue: null }) + { hide: 2, current: { selected: true, text: ['All'], value: ['$__all'] } },

  jobTargetVars(job_query):: [
    self.datasourceVar(),
    self.queryVar('job', 'Job', job_query),
    self.queryVar('target', 'Target', 'label_values(pgconn_up{job=~"$job"}, target)'),
  ],

  // --------------------------------------------------------------- panels
  target(expr, legend, ref, instant=false)::
    { datasource: ds, expr: expr, legendFormat: legend, refId: ref }
    + (if instant then { instant: true, range: false, format: 'table' } else { range: true }),

  // [[expr, legend], ...] -> targets A, B, C...
  targets(pairs, instant=false)::
    [
      self.target(pairs[i][0], pairs[i][1], std.char(std.codepoint('A') + i), instant)
      for i in std.range(0, std.length(pairs) - 1)
    ],

  // Draws the series matching `regex` as a dashed reference line.
  dashed(regex, color):: {
    matcher: { id: 'byRegexp', options: regex },
    properties: [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
      { id: 'custom.stacking', value: { mode: 'none', group: 'A' } },
      { id: 'color', value: { mode: 'fixed', fixedColor: color } },
    ],
  },

  // Green below the first [value, color] pair, then each color from its value.
  steps(pairs):: {
    mode: 'absolute',
    steps: [{ color: 'green', value: null }] + [{ color: p[1], value: p[0] } for p in pairs],
  },

  timeseries(title,
             desc,
             unit,
             tgts,
             stack=false,
             overrides=null,
             thresholds=null,
             min_zero=true,
             threshold_lines=false):: {
    type: 'timeseries',
    title: title,
    description: desc,
    datasource: ds,
    targets: tgts,
    fieldConfig: {
      defaults: {
        unit: unit,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: if stack then 15 else 5,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: if stack then 'normal' else 'none', group: 'A' },
          thresholdsStyle: { mode: if threshold_lines then 'dashed' else 'off' },
        },
        color: { mode: 'palette-classic' },
        [if min_zero then 'min']: 0,
        [if thresholds != null then 'thresholds']: thresholds,
      },
      overrides: if overrides == null then [] else overrides,
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  },

  stat(title, desc, unit, tgts, thresholds=null, mappings=null):: {
    type: 'stat',
    title: title,
    description: desc,
    datasource: ds,
    targets: tgts,
    fieldConfig: {
      defaults: {
        unit: unit,
        thresholds: if thresholds == null then $.steps([]) else thresholds,
        mappings: if mappings == null then [] else mappings,
        color: { mode: 'thresholds' },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'none',
      textMode: 'value_and_name',
      justifyMode: 'auto',
      orientation: 'auto',
    },
  },

  bargauge(title, desc, unit, tgts, thresholds=null):: {
    type: 'bargauge',
    title: title,
    description: desc,
    datasource: ds,
    targets: tgts,
    fieldConfig: {
      defaults: {
        unit: unit,
        min: 0,
        thresholds: if thresholds == null then $.steps([]) else thresholds,
        color: { mode: 'thresholds' },
      },
      overrides: [],
    },
    options: {
      displayMode: 'gradient',
      orientation: 'horizontal',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      showUnfilled: true,
    },
  },

  // hide: columns to drop; rename: {column: header}; units: {column: unit}.
  table(title, desc, unit, tgts, hide=[], rename={}, units={}):: {
    type: 'table',
    title: title,
    description: desc,
    datasource: ds,
    targets: tgts,
    fieldConfig: {
      defaults: { unit: unit, custom: { align: 'auto' } },
      overrides: [
        { matcher: { id: 'byName', options: col }, properties: [{ id: 'unit', value: units[col] }] }
        for col in std.objectFields(units)
      ],
    },
    options: { showHeader: true, footer: { show: false } },
    transformations: [
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true } + { [c]: true for c in hide }, renameByName: rename } },
    ],
  },

  alertlist(title, desc):: {
    type: 'alertlist',
    title: title,
    description: desc,
    datasource: ds,
    fieldConfig: { defaults: { unit: 'none' }, overrides: [] },
    options: {
      viewMode: 'list',
      groupMode: 'default',
      groupBy: [],
      maxItems: 20,
      sortOrder: 1,
      dashboardAlerts: false,
      alertName: 'Pgconn',
      alertInstanceLabelFilter: '{job=~"$job"}',
      datasource: '${datasource}',
      stateFilter: { firing: true, pending: true, noData: false, normal: false, 'error': true },
    },
  },

  row(title):: { type: 'row', title: title, collapsed: false, panels: [] },

  // --------------------------------------------------------------- layout
  // items: rows (objects) or [panel, width, height], laid out left to right
  // on a 24-wide grid; a row or a panel that does not fit starts a new line.
  // Assigns ids in order.
  layout(items)::
    local step(state, item) =
      if std.isObject(item) then
        local y = state.y + (if state.x > 0 then state.line_h else 0);
        state {
          x: 0,
          y: y + 1,
          line_h: 0,
          panels+: [item { gridPos: { h: 1, w: 24, x: 0, y: y }, id: std.length(state.panels) + 1 }],
        }
      else
        local p = item[0], w = item[1], h = item[2];
        local wraps = state.x + w > 24;
        local x = if wraps then 0 else state.x;
        local y = if wraps then state.y + state.line_h else state.y;
        local line_h = if wraps then 0 else state.line_h;
        state {
          x: x + w,
          y: y,
          line_h: std.max(line_h, h),
          panels+: [p { gridPos: { h: h, w: w, x: x, y: y }, id: std.length(state.panels) + 1 }],
        };
    std.foldl(step, items, { x: 0, y: 0, line_h: 0, panels: [] }).panels,

  dashboard(uid, title, desc, tags, variables, items, links_to):: {
    uid: uid,
    title: title,
    description: desc,
    tags: tags,
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: '',
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: { list: [{
      builtIn: 1,
      datasource: { type: 'grafana', uid: '-- Grafana --' },
      enable: true,
      hide: true,
      iconColor: 'rgba(0, 211, 255, 1)',
      name: 'Annotations & Alerts',
      type: 'dashboard',
    }] },
    links: [
      {
        title: l[1],
        type: 'link',
        url: '/d/' + l[0] + '?${__url_time_range}&${__all_variables}',
        targetBlank: false,
        icon: 'dashboard',
        asDropdown: false,
        includeVars: false,
        keepTime: false,
        tags: [],
        tooltip: '',
      }
      for l in links_to
    ],
    templating: { list: variables },
    panels: $.layout(items),
  },

  links: [['pgconn-overview', 'Overview'], ['pgconn-applications', 'Applications and leaks'], ['pgconn-pools', 'Pools']],
}
