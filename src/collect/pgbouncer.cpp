#include "collect/pgbouncer.h"

#include <map>

#include "collect/console.h"

namespace pgconn::collect {

model::PoolerStats collect_pgbouncer(pg::ConsoleSession& session, std::chrono::milliseconds timeout) {
  model::PoolerStats stats;
  Console console(session, timeout);
  console.show("SHOW POOLS", [&](const Columns& c, int row) {
    model::PgBouncerPool pool;
    pool.database = c.text(row, "database");
    pool.user = c.text(row, "user");
    pool.pool_mode = c.text(row, "pool_mode");
    pool.clients_active = c.integer(row, "cl_active");
    pool.clients_waiting = c.integer(row, "cl_waiting");
    pool.servers_active = c.integer(row, "sv_active");
    pool.servers_idle = c.integer(row, "sv_idle");
    pool.servers_used = c.integer(row, "sv_used");
    pool.servers_tested = c.integer(row, "sv_tested");
    pool.servers_login = c.integer(row, "sv_login");
    pool.max_wait_seconds = static_cast<double>(c.integer(row, "maxwait")) +
                            static_cast<double>(c.integer(row, "maxwait_us")) / 1e6;
    stats.pools.push_back(pool);
  });
  std::map<std::string, size_t> database_index;
  console.show("SHOW DATABASES", [&](const Columns& c, int row) {
    model::PgBouncerDatabase db;
    db.name = c.text(row, "name");
    db.pool_mode = c.text(row, "pool_mode");
    db.pool_size = c.integer(row, "pool_size");
    db.reserve_pool = c.integer(row, "reserve_pool");
    db.max_connections = c.integer(row, "max_connections");
    db.current_connections = c.integer(row, "current_connections");
    database_index[db.name] = stats.databases.size();
    stats.databases.push_back(db);
  });
  console.show("SHOW STATS", [&](const Columns& c, int row) {
    auto it = database_index.find(c.text(row, "database"));
    if (it == database_index.end()) return;
    model::PgBouncerDatabase& db = stats.databases[it->second];
    db.transactions_total = c.integer(row, "total_xact_count");
    db.queries_total = c.integer(row, "total_query_count");
    db.client_wait_seconds_total = static_cast<double>(c.integer(row, "total_wait_time")) / 1e6;
  });
  console.show("SHOW LISTS", [&](const Columns& c, int row) {
    std::string list = c.text(row, "list");
    if (list == "used_clients") stats.used_clients = c.integer(row, "items");
    if (list == "login_clients") stats.login_clients = c.integer(row, "items");
  });
  console.show("SHOW CONFIG", [&](const Columns& c, int row) {
    std::string key = c.text(row, "key");
    std::string value = c.text(row, "value");
    auto number = [&] { return std::strtoll(value.c_str(), nullptr, 10); };
    if (key == "pool_mode") stats.pool_mode = value;
    else if (key == "max_client_conn") stats.max_client_conn = number();
    else if (key == "max_db_connections") stats.max_db_connections = number();
    else if (key == "max_user_connections") stats.max_user_connections = number();
    else if (key == "default_pool_size") stats.default_pool_size = number();
    else if (key == "reserve_pool_size") stats.reserve_pool_size = number();
  });
  read_pgbouncer_clients(console, stats);
  return stats;
}

}  // namespace pgconn::collect
