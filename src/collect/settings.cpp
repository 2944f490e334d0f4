// Limits and who we are: max_connections, reserved slots, our own pid and
// whether we can see other sessions' details (superuser or pg_monitor).
#include "collect/collector.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSql = R"sql(
SELECT current_setting('max_connections')::bigint,
       current_setting('superuser_reserved_connections')::bigint,
       coalesce(current_setting('reserved_connections', true), '0')::bigint,
       current_setting('server_version_num')::int,
       pg_backend_pid(),
       pg_has_role(current_user, 'pg_monitor', 'USAGE'))sql";

std::string sql(const Context&) { return kSql; }

void read(const pg::Result& r, ServerStats& stats) {
  stats.max_connections = r.integer(0, 0);
  stats.superuser_reserved_connections = r.integer(0, 1);
  stats.reserved_connections = r.integer(0, 2);
  stats.server_version_num = static_cast<int>(r.integer(0, 3));
  stats.own_pid = static_cast<int>(r.integer(0, 4));
  stats.sees_all_sessions = r.boolean(0, 5);
}

}  // namespace

const Collector settings_collector{"settings", &sql, &read};

}  // namespace pgconn::collect
