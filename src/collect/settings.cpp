// Limits and what we may see: max_connections, reserved slots and whether we
// can see other sessions' details (superuser or pg_monitor).
#include "collect/collector.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSql = R"sql(
SELECT current_setting('max_connections')::bigint,
       current_setting('superuser_reserved_connections')::bigint,
       coalesce(current_setting('reserved_connections', true), '0')::bigint,
       pg_has_role(current_user, 'pg_monitor', 'USAGE'))sql";

std::string sql(const Context&) { return kSql; }

void read(const pg::Result& r, model::ServerStats& stats) {
  stats.max_connections = r.integer(0, 0);
  stats.superuser_reserved_connections = r.integer(0, 1);
  stats.reserved_connections = r.integer(0, 2);
  stats.sees_all_sessions = r.boolean(0, 3);
}

}  // namespace

const Collector settings_collector{&sql, &read};

}  // namespace pgconn::collect
