// Client connections per role, beside each role's CONNECTION LIMIT. Roles
// appear when they hold connections or have a limit set.
#include "collect/collector.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSql = R"sql(
SELECT r.rolname, r.rolconnlimit, count(a.pid)
FROM pg_roles r
LEFT JOIN pg_stat_activity a ON a.usesysid = r.oid AND a.backend_type = 'client backend'
WHERE r.rolcanlogin
GROUP BY r.rolname, r.rolconnlimit
HAVING count(a.pid) > 0 OR r.rolconnlimit >= 0)sql";

std::string sql(const Context&) { return kSql; }

void read(const pg::Result& r, model::ServerStats& stats) {
  for (int row = 0; row < r.rows(); ++row) {
    stats.users[r.text(row, 0)] = model::NamedCount{r.integer(row, 2), r.integer(row, 1)};
  }
}

}  // namespace

const Collector users_collector{&sql, &read};

}  // namespace pgconn::collect
