#include "render/metrics.h"

#include <algorithm>
#include <map>

#include "render/families.h"
#include "render/pgbouncer.h"

namespace pgconn::render {
namespace {

using model::ErrorKind;

// One counter per failure reason, zeros included, so rate() works from the start.
void reason_counters(Families& f, const std::string& name, const std::string& help, const Labels& t,
                     const std::map<ErrorKind, uint64_t>& counts) {
  size_t count;
  const ErrorKind* kinds = model::all_error_kinds(&count);
  for (size_t i = 0; i < count; ++i) {
    Labels l = t;
    l.emplace_back("reason", model::reason_label(kinds[i]));
    auto it = counts.find(kinds[i]);
    f.counter(name, help, l, it == counts.end() ? 0 : static_cast<double>(it->second));
  }
}

void limits(Families& f, const Labels& t, const model::ServerStats& s, const model::Usage& u) {
  f.gauge("pgconn_server_max_connections", "The server's max_connections setting.", t,
          static_cast<double>(s.max_connections));
  f.gauge("pgconn_server_reserved_connections",
          "Slots reserved for superusers (superuser_reserved_connections, plus reserved_connections on 16+).", t,
          static_cast<double>(s.superuser_reserved_connections + s.reserved_connections));
  f.gauge("pgconn_connection_limit",
          "The connection budget in use: the configured connection_limit, else max_connections minus reserved slots.",
          t, static_cast<double>(u.limit));
  for (const auto& [name, db] : s.databases) {
    if (db.limit < 0) continue;
    Labels l = t;
    l.emplace_back("datname", name);
    f.gauge("pgconn_database_connection_limit", "CONNECTION LIMIT of a database, where one is set.", l,
            static_cast<double>(db.limit));
  }
  for (const auto& [name, user] : s.users) {
    if (user.limit < 0) continue;
    Labels l = t;
    l.emplace_back("usename", name);
    f.gauge("pgconn_user_connection_limit", "CONNECTION LIMIT of a login role, where one is set.", l,
            static_cast<double>(user.limit));
  }
}

void usage(Families& f, const Labels& t, const model::ServerStats& s, const model::Usage& u) {
  f.gauge("pgconn_connections_used", "Client backends holding a connection slot, monitoring sessions included.", t,
          static_cast<double>(u.used));
  f.gauge("pgconn_connections_available", "Connection slots left in the budget (never negative).", t,
          static_cast<double>(u.available));
  f.gauge("pgconn_connections_utilization_ratio", "Client connections used divided by the connection limit.", t,
          u.utilization);
  f.gauge("pgconn_monitoring_connections",
          "Client connections of this exporter's family (its own, an HA pair's, the operator commands', the "
          "connect probe's): counted as used, never as leak suspects.",
          t, static_cast<double>(u.monitoring));
  for (const auto& [state, n] : u.by_state) {
    Labels l = t;
    l.emplace_back("state", state);
    f.gauge("pgconn_connections", "Client connections by state (unknown: not visible without pg_monitor).", l,
            static_cast<double>(n));
  }
  for (const auto& [name, db] : s.databases) {
    Labels l = t;
    l.emplace_back("datname", name);
    f.gauge("pgconn_database_connections", "Client connections per database.", l, static_cast<double>(db.connections));
  }
  for (const auto& [name, user] : s.users) {
    Labels l = t;
    l.emplace_back("usename", name);
    f.gauge("pgconn_user_connections", "Client connections per role.", l, static_cast<double>(user.connections));
  }
  for (const auto& [type, n] : s.backends_by_type) {
    Labels l = t;
    l.emplace_back("backend_type", type);
    f.gauge("pgconn_backends", "Backends of every type (only client backends count against the limit).", l,
            static_cast<double>(n));
  }
  f.gauge("pgconn_monitoring_role_sees_all_sessions",
          "1 when the exporter's role is superuser or in pg_monitor and so sees every session's state.", t,
          s.sees_all_sessions ? 1 : 0);
}

void ages(Families& f, const Labels& t, const std::vector<model::ApplicationSummary>& apps) {
  double connection = 0, transaction = 0, idle_in_transaction = 0;
  for (const auto& a : apps) {
    Labels l = t;
    l.emplace_back("application_name", a.name);
    f.gauge("pgconn_application_oldest_connection_age_seconds",
            "Age of the application's oldest connection (monitoring sessions excluded).", l,
            a.oldest_connection_age_seconds.value_or(0));
    f.gauge("pgconn_application_oldest_transaction_age_seconds", "Age of the application's oldest open transaction.",
            l, a.oldest_transaction_age_seconds.value_or(0));
    f.gauge("pgconn_application_oldest_idle_in_transaction_age_seconds",
            "How long the application's longest idle-in-transaction session has been idle.", l,
            a.oldest_idle_in_transaction_age_seconds.value_or(0));
    connection = std::max(connection, a.oldest_connection_age_seconds.value_or(0));
    transaction = std::max(transaction, a.oldest_transaction_age_seconds.value_or(0));
    idle_in_transaction = std::max(idle_in_transaction, a.oldest_idle_in_transaction_age_seconds.value_or(0));
    for (const auto& [reason, n] : {std::pair<const char*, int64_t>{"age", a.leak_suspects_age},
                                    {"idle_in_transaction", a.leak_suspects_idle_in_transaction}}) {
      Labels lr = l;
      lr.emplace_back("reason", reason);
      f.gauge("pgconn_leak_suspect_connections",
              "Connections older than connection_age_seconds or idle in transaction longer than "
              "idle_in_transaction_seconds.",
              lr, static_cast<double>(n));
    }
  }
  f.gauge("pgconn_oldest_connection_age_seconds", "Age of the oldest client connection (monitoring sessions excluded).",
          t, connection);
  f.gauge("pgconn_oldest_transaction_age_seconds", "Age of the oldest open transaction of a client backend.", t,
          transaction);
  f.gauge("pgconn_oldest_idle_in_transaction_age_seconds",
          "How long the longest idle-in-transaction session has been idle.", t, idle_in_transaction);
}

void applications(Families& f, const Labels& t, const std::vector<model::ApplicationSummary>& apps) {
  for (const auto& a : apps) {
    Labels l = t;
    l.emplace_back("application_name", a.name);
    for (const auto& state : model::application_states()) {
      if (!a.by_state.count(state)) {
        Labels ls = l;
        ls.emplace_back("state", state);
        f.gauge("pgconn_application_connections", "Client connections per application_name and state.", ls, 0);
      }
    }
    for (const auto& [state, n] : a.by_state) {
      Labels ls = l;
      ls.emplace_back("state", state);
      f.gauge("pgconn_application_connections", "Client connections per application_name and state.", ls,
              static_cast<double>(n));
    }
    if (!a.pool) continue;
    const model::DeclaredPool& pool = *a.pool;
    f.gauge("pgconn_application_pool_capacity_connections",
            "Declared pool capacity: processes x (pool_size + max_overflow).", l, static_cast<double>(pool.capacity));
    f.gauge("pgconn_application_pool_base_connections", "Declared base pool: processes x pool_size.", l,
            static_cast<double>(pool.base));
    f.gauge("pgconn_application_pool_overflow_connections",
            "Connections the application holds beyond its declared base pool (never negative).", l,
            static_cast<double>(pool.overflow));
    f.gauge("pgconn_application_pool_utilization_ratio", "Connections held divided by declared pool capacity.", l,
            pool.utilization);
  }
}

void client_addresses(Families& f, const Labels& t, const std::vector<model::ClientAddressSummary>& addresses) {
  for (const auto& a : addresses) {
    Labels l = t;
    l.emplace_back("client_addr", a.client_addr);
    for (const auto& [state, n] : a.by_state) {
      Labels ls = l;
      ls.emplace_back("state", state);
      f.gauge("pgconn_client_address_connections",
              "Client connections per client address and state (local: Unix socket; unknown: not visible).", ls,
              static_cast<double>(n));
    }
    for (const auto& [reason, n] : {std::pair<const char*, int64_t>{"age", a.leak_suspects_age},
                                    {"idle_in_transaction", a.leak_suspects_idle_in_transaction}}) {
      Labels lr = l;
      lr.emplace_back("reason", reason);
      f.gauge("pgconn_client_address_leak_suspect_connections",
              "Leak suspects (as pgconn_leak_suspect_connections) per client address.", lr, static_cast<double>(n));
    }
  }
}

void sessions(Families& f, const Labels& t, const std::map<std::string, model::SessionCounters>& counters) {
  for (const auto& [name, c] : counters) {
    Labels l = t;
    l.emplace_back("datname", name);
    f.counter("pgconn_database_sessions_total", "Sessions established (pg_stat_database.sessions).", l,
              static_cast<double>(c.sessions));
    f.counter("pgconn_database_sessions_abandoned_total",
              "Sessions ended because the client disconnected without closing.", l, static_cast<double>(c.abandoned));
    f.counter("pgconn_database_sessions_fatal_total", "Sessions ended by fatal errors.", l,
              static_cast<double>(c.fatal));
    f.counter("pgconn_database_sessions_killed_total", "Sessions ended by operator intervention.", l,
              static_cast<double>(c.killed));
  }
}

void poll_status(Families& f, const Labels& t, const model::Snapshot* s, double now_unix) {
  f.gauge("pgconn_up", "1 when the last poll of the target succeeded.", t, s->up ? 1 : 0);
  f.gauge("pgconn_poll_duration_seconds", "Duration of the last poll.", t, s->poll_duration_seconds);
  reason_counters(f, "pgconn_poll_errors_total", "Failed polls by reason (classified by SQLSTATE).", t,
                  s->poll_errors_total);
  if (s->last_success_unix) {
    f.gauge("pgconn_last_poll_success_timestamp_seconds", "Unix time of the last successful poll.", t,
            *s->last_success_unix);
    f.gauge(kSnapshotAgeFamily,
            "Seconds since the data shown was collected; grows while polls fail or hang.", t,
            std::max(0.0, now_unix - *s->last_success_unix));
  }
}

void connect_probe(Families& f, const Labels& t, const model::ConnectProbe& p) {
  f.gauge("pgconn_connect_probe_success", "1 when the last fresh connection attempt (connect_probe) succeeded.", t,
          p.success ? 1 : 0);
  f.gauge("pgconn_connect_probe_duration_seconds", "How long the last fresh connection attempt took.", t,
          p.duration_seconds);
  reason_counters(f, "pgconn_connect_probe_failures_total", "Failed fresh connection attempts by reason.", t,
                  p.failures_total);
}

void declared_pooler(Families& f, const Labels& t, const config::DeclaredPooler& p) {
  f.gauge("pgconn_pooler_declared_pool_size_connections",
          "pool_size of the hosted pooler declared in front of the target ([targets.pooler]).", t,
          static_cast<double>(p.pool_size));
  f.gauge("pgconn_pooler_declared_max_client_connections",
          "max_client_connections of the hosted pooler declared in front of the target.", t,
          static_cast<double>(p.max_client_connections));
  Labels l = t;
  l.emplace_back("pool_mode", p.pool_mode);
  f.gauge("pgconn_pooler_declared_pool_mode", "Always 1; the pool_mode label tells the declared pooler's mode.", l, 1);
}

// The thresholds the target is judged with, for alert rules to join on.
void thresholds(Families& f, const Labels& t, const config::Thresholds& th) {
  if (th.connections_warning) {
    f.gauge("pgconn_threshold_connections_warning", "Configured warning count of client connections.", t,
            static_cast<double>(*th.connections_warning));
  }
  if (th.connections_critical) {
    f.gauge("pgconn_threshold_connections_critical", "Configured critical count of client connections.", t,
            static_cast<double>(*th.connections_critical));
  }
  f.gauge("pgconn_threshold_utilization_warning_ratio", "Configured warning ratio of the connection limit.", t,
          th.utilization_warning);
  f.gauge("pgconn_threshold_utilization_critical_ratio", "Configured critical ratio of the connection limit.", t,
          th.utilization_critical);
  f.gauge("pgconn_threshold_idle_in_transaction_seconds",
          "Configured idle-in-transaction age after which a session is a leak suspect.", t,
          th.idle_in_transaction_seconds);
  f.gauge("pgconn_threshold_connection_age_seconds",
          "Configured connection age after which a connection is a leak suspect.", t, th.connection_age_seconds);
}

void one_target(Families& f, const model::Published& published, double now_unix) {
  const model::Snapshot& s = *published.snapshot;
  const model::Assessment& a = *published.assessment;
  const config::Target& target = a.target;
  Labels t{{"target", target.name}};
  poll_status(f, t, &s, now_unix);
  thresholds(f, t, target.thresholds);
  if (!target.applications.empty()) {
    f.gauge("pgconn_declared_capacity_connections",
            "Sum of all declared application pool capacities, to compare with pgconn_connection_limit.", t,
            static_cast<double>(a.declared_capacity));
  }
  if (s.probe) connect_probe(f, t, *s.probe);
  if (target.pooler) declared_pooler(f, t, *target.pooler);
  if (s.pooler && a.pooler) pgbouncer_metrics(f, t, target, *s.pooler, *a.pooler);
  if (!s.stats || !a.usage) return;
  const model::ServerStats& stats = *s.stats;
  limits(f, t, stats, *a.usage);
  usage(f, t, stats, *a.usage);
  applications(f, t, a.applications);
  ages(f, t, a.applications);
  client_addresses(f, t, a.client_addresses);
  if (stats.sessions) sessions(f, t, *stats.sessions);
}

}  // namespace

std::vector<prometheus::MetricFamily> exporter_metrics(const model::ExporterInfo& info) {
  Families f;
  f.gauge("pgconn_exporter_build_info", "Always 1; the version label tells which build runs.",
          {{"version", info.version}}, 1);
  f.gauge("pgconn_config_last_reload_successful", "1 when the last configuration (re)load succeeded.", {},
          info.last_reload_successful ? 1 : 0);
  f.gauge("pgconn_config_last_reload_success_timestamp_seconds", "Unix time of the last successful configuration load.",
          {}, info.last_reload_unix);
  for (const auto& [reason, count] : info.http_rejections) {
    f.counter("pgconn_http_rejected_requests_total",
              "HTTP requests and connections refused by the exporter's web server, by reason.",
              {{"reason", reason}}, static_cast<double>(count));
  }
  return f.take();
}

std::vector<prometheus::MetricFamily> target_metrics(const std::vector<model::Published>& targets, double now_unix) {
  Families f;
  for (const auto& published : targets) one_target(f, published, now_unix);
  return f.take();
}

}  // namespace pgconn::render
