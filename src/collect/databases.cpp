// Client connections per database, beside each database's CONNECTION LIMIT.
#include "collect/collector.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSql = R"sql(
SELECT d.datname, d.datconnlimit, count(a.pid)
FROM pg_database d
LEFT JOIN pg_stat_activity a ON a.datid = d.oid AND a.backend_type = 'client backend'
WHERE d.datallowconn
GROUP BY d.datname, d.datconnlimit)sql";

std::string sql(const Context&) { return kSql; }

void read(const pg::Result& r, model::ServerStats& stats) {
  for (int row = 0; row < r.rows(); ++row) {
    stats.databases[r.text(row, 0)] = model::NamedCount{r.integer(row, 2), r.integer(row, 1)};
  }
}

}  // namespace

const Collector databases_collector{&sql, &read};

}  // namespace pgconn::collect
