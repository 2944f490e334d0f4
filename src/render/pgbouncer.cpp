#include "render/pgbouncer.h"

namespace pgconn::render {
namespace {

Labels with(Labels labels, std::initializer_list<std::pair<std::string, std::string>> more) {
  for (const auto& l : more) labels.push_back(l);
  return labels;
}

void clients(Families& f, const Labels& t, const model::PoolerClients& holders) {
  for (const auto& app : holders.applications) {
    Labels l = with(t, {{"application_name", app.name}});
    for (const auto& [state, n] : app.by_state) {
      f.gauge("pgconn_pgbouncer_application_clients",
              "PgBouncer clients per application_name: linked (holds a server connection), idle or waiting.",
              with(l, {{"state", state}}), static_cast<double>(n));
    }
    f.gauge("pgconn_pgbouncer_application_oldest_client_age_seconds",
            "How long the application's oldest PgBouncer client has been connected.", l,
            app.oldest_client_age_seconds.value_or(0));
    f.gauge("pgconn_pgbouncer_leak_suspect_clients",
            "PgBouncer clients connected longer than connection_age_seconds (this exporter's family excluded).",
            with(l, {{"reason", "age"}}), static_cast<double>(app.leak_suspects_age));
  }
  for (const auto& addr : holders.client_addresses) {
    for (const auto& [state, n] : addr.by_state) {
      f.gauge("pgconn_pgbouncer_client_address_clients",
              "PgBouncer clients per client address: linked, idle or waiting.",
              with(t, {{"client_addr", addr.name}, {"state", state}}), static_cast<double>(n));
    }
  }
}

void pools(Families& f, const Labels& t, const model::PoolerAssessment& pooler) {
  for (const auto& assessed : pooler.pools) {
    const model::PgBouncerPool& p = assessed.pool;
    Labels l = with(t, {{"database", p.database}, {"user", p.user}});
    for (const auto& [state, n] : {std::pair<const char*, int64_t>{"active", p.clients_active},
                                   {"waiting", p.clients_waiting}}) {
      f.gauge("pgconn_pgbouncer_clients", "Client connections of a PgBouncer pool: active (paired) or waiting.",
              with(l, {{"state", state}}), static_cast<double>(n));
    }
    for (const auto& [state, n] : {std::pair<const char*, int64_t>{"active", p.servers_active},
                                   {"idle", p.servers_idle},
                                   {"used", p.servers_used},
                                   {"tested", p.servers_tested},
                                   {"login", p.servers_login}}) {
      f.gauge("pgconn_pgbouncer_servers", "Server connections of a PgBouncer pool by state.",
              with(l, {{"state", state}}), static_cast<double>(n));
    }
    f.gauge("pgconn_pgbouncer_max_wait_seconds", "How long the oldest waiting client of the pool has waited.", l,
            p.max_wait_seconds);
    const model::PoolBudget& budget = assessed.budget;
    f.gauge("pgconn_pgbouncer_pool_client_limit",
            "Clients the pool admits: pool_size in session mode, max_client_conn in transaction/statement mode.", l,
            static_cast<double>(budget.client_limit));
    f.gauge("pgconn_pgbouncer_pool_client_utilization_ratio", "Clients of the pool (active + waiting) / its client limit.",
            l, budget.client_utilization);
    f.gauge("pgconn_pgbouncer_pool_mode", "Always 1; the pool_mode label tells the pool's mode.",
            with(l, {{"pool_mode", budget.pool_mode}}), 1);
  }
}

void databases(Families& f, const Labels& t, const model::PoolerStats& stats) {
  for (const auto& db : stats.databases) {
    Labels l = with(t, {{"database", db.name}});
    f.gauge("pgconn_pgbouncer_database_pool_size_connections", "pool_size of a PgBouncer database.", l,
            static_cast<double>(db.pool_size));
    f.gauge("pgconn_pgbouncer_database_reserve_pool_connections", "reserve_pool of a PgBouncer database.", l,
            static_cast<double>(db.reserve_pool));
    f.gauge("pgconn_pgbouncer_database_max_connections", "max_db_connections of a PgBouncer database (0: no limit).",
            l, static_cast<double>(db.max_connections));
    f.gauge("pgconn_pgbouncer_database_current_connections", "Server connections PgBouncer holds for the database.", l,
            static_cast<double>(db.current_connections));
    f.counter("pgconn_pgbouncer_transactions_total", "Transactions pooled by PgBouncer for the database.", l,
              static_cast<double>(db.transactions_total));
    f.counter("pgconn_pgbouncer_queries_total", "Queries pooled by PgBouncer for the database.", l,
              static_cast<double>(db.queries_total));
    f.counter("pgconn_pgbouncer_client_wait_seconds_total", "Time clients spent waiting for a server connection.", l,
              db.client_wait_seconds_total);
  }
}

}  // namespace

void pgbouncer_metrics(Families& f, const Labels& t, const config::Target& target, const model::PoolerStats& stats,
                       const model::PoolerAssessment& pooler) {
  pools(f, t, pooler);
  databases(f, t, stats);
  clients(f, t, pooler.holders);
  const model::PoolerUsage& usage = pooler.usage;
  f.gauge("pgconn_pgbouncer_max_client_connections", "PgBouncer's max_client_conn.", t,
          static_cast<double>(stats.max_client_conn));
  f.gauge("pgconn_pgbouncer_max_db_connections", "PgBouncer's max_db_connections (0: no limit).", t,
          static_cast<double>(stats.max_db_connections));
  f.gauge("pgconn_pgbouncer_max_user_connections", "PgBouncer's max_user_connections (0: no limit).", t,
          static_cast<double>(stats.max_user_connections));
  f.gauge("pgconn_pgbouncer_client_connections", "Client connections PgBouncer holds (SHOW LISTS used_clients).", t,
          static_cast<double>(usage.clients));
  f.gauge("pgconn_pgbouncer_client_utilization_ratio",
          "Client connections / the client limit (max_client_conn, or the target's connection_limit).", t,
          usage.client_utilization);
  f.gauge("pgconn_pgbouncer_server_connections", "Server connections of all pools (every server state).", t,
          static_cast<double>(usage.server_connections));
  f.gauge("pgconn_pgbouncer_server_connections_max",
          "Server connections all pools may open: pool_size + reserve_pool per pool.", t,
          static_cast<double>(usage.server_connections_max));
  if (!target.server_target.empty()) {
    f.gauge("pgconn_pooler_link_info", "Always 1; links a pooler target to the PostgreSQL target behind it.",
            with(t, {{"server_target", target.server_target}}), 1);
  }
}

}  // namespace pgconn::render
