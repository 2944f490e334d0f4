// Session counters from pg_stat_database (PostgreSQL 14+): how sessions ended.
// "abandoned" means the client vanished without closing: a leak symptom.
#include "collect/collector.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSql = R"sql(
SELECT datname, sessions, sessions_abandoned, sessions_fatal, sessions_killed
FROM pg_stat_database WHERE datname IS NOT NULL)sql";

std::string sql(const Context& context) { return context.server_version >= 140000 ? kSql : ""; }

void read(const pg::Result& r, model::ServerStats& stats) {
  std::map<std::string, model::SessionCounters> counters;
  for (int row = 0; row < r.rows(); ++row) {
    counters[r.text(row, 0)] =
        model::SessionCounters{r.integer(row, 1), r.integer(row, 2), r.integer(row, 3), r.integer(row, 4)};
  }
  stats.sessions = std::move(counters);
}

}  // namespace

const Collector sessions_collector{&sql, &read};

}  // namespace pgconn::collect
