// Every backend type (client, autovacuum, walsender, ...), for context: only
// client backends count against max_connections.
#include "collect/collector.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSql = R"sql(
SELECT coalesce(backend_type, 'unknown'), count(*) FROM pg_stat_activity GROUP BY 1)sql";

std::string sql(const Context&) { return kSql; }

void read(const pg::Result& r, model::ServerStats& stats) {
  for (int row = 0; row < r.rows(); ++row) stats.backends_by_type[r.text(row, 0)] = r.integer(row, 1);
}

}  // namespace

const Collector backends_collector{&sql, &read};

}  // namespace pgconn::collect
