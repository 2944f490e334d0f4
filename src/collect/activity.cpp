// Client backends from pg_stat_activity, grouped by application and state,
// with the ages that reveal leaks. Only `client backend` rows count against
// max_connections. Monitoring sessions (this exporter's family, see
// pg/application_name.h) are counted but kept out of the ages and the leak
// counts: they are long-lived on purpose.
#include <cstdio>
#include <cstdlib>

#include "collect/collector.h"
#include "pg/application_name.h"

namespace pgconn::collect {
namespace {

constexpr const char* kSqlTemplate = R"sql(
SELECT coalesce(application_name, ''),
       CASE state
         WHEN 'active' THEN 'active'
         WHEN 'idle' THEN 'idle'
         WHEN 'idle in transaction' THEN 'idle_in_transaction'
         WHEN 'idle in transaction (aborted)' THEN 'idle_in_transaction_aborted'
         WHEN 'fastpath function call' THEN 'fastpath_function_call'
         WHEN 'disabled' THEN 'disabled'
         ELSE 'unknown'
       END,
       count(*),
       max(extract(epoch FROM now_ts - backend_start)) FILTER (WHERE NOT monitoring),
       max(extract(epoch FROM now_ts - xact_start)) FILTER (WHERE NOT monitoring),
       max(extract(epoch FROM now_ts - state_change)) FILTER (WHERE iit),
       count(*) FILTER (WHERE NOT monitoring AND now_ts - backend_start > %s * interval '1 second'),
       count(*) FILTER (WHERE iit AND now_ts - state_change > %s * interval '1 second'),
       (array_agg(pid ORDER BY backend_start) FILTER (WHERE NOT monitoring))[1:5],
       bool_or(monitoring)
FROM (SELECT a.*, clock_timestamp() AS now_ts, %s AS monitoring,
             coalesce(a.state LIKE 'idle in transaction%%', false) AND NOT %s AS iit
      FROM pg_stat_activity a
      WHERE a.backend_type = 'client backend') s
GROUP BY 1, 2)sql";

std::string sql(const Context& context) {
  const std::string monitoring = pg::monitoring_session_sql("coalesce(a.application_name, '')");
  char buffer[4096];
  std::snprintf(buffer, sizeof buffer, kSqlTemplate,
                std::to_string(context.leaks.connection_age_seconds).c_str(),
                std::to_string(context.leaks.idle_in_transaction_seconds).c_str(), monitoring.c_str(),
                monitoring.c_str());
  return buffer;
}

void read(const pg::Result& r, model::ServerStats& stats) {
  for (int row = 0; row < r.rows(); ++row) {
    model::ApplicationStateRow a;
    a.application_name = r.text(row, 0);
    a.state = r.text(row, 1);
    a.connections = r.integer(row, 2);
    a.oldest_connection_age_seconds = r.number(row, 3);
    a.oldest_transaction_age_seconds = r.number(row, 4);
    a.oldest_idle_in_transaction_age_seconds = r.number(row, 5);
    a.older_than_age_threshold = r.integer(row, 6);
    a.idle_in_transaction_too_long = r.integer(row, 7);
    a.sample_pids = parse_pid_array(r.text(row, 8));
    a.monitoring = r.boolean(row, 9);
    stats.activity.push_back(std::move(a));
  }
}

}  // namespace

std::vector<int> parse_pid_array(const std::string& text) {
  std::vector<int> pids;
  const char* p = text.c_str();
  while (*p) {
    if (*p >= '0' && *p <= '9') {
      char* end;
      pids.push_back(static_cast<int>(std::strtol(p, &end, 10)));
      p = end;
    } else {
      ++p;
    }
  }
  return pids;
}

const Collector activity_collector{&sql, &read};

}  // namespace pgconn::collect
