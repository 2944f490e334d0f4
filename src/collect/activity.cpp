// Client backends from pg_stat_activity, grouped by application, state and
// client address in one scan, with the ages and leak counts that reveal
// leaks: the rows per address tell apart the replicas that share an
// application_name, and their sums per application and state are the
// application rows. Only `client backend` rows count against
// max_connections. Monitoring sessions (this exporter's family, see
// pg/application_name.h) are counted but kept out of the ages and the leak
// counts: they are long-lived on purpose. Addresses are named as
// pg/client_address.h says.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <utility>

#include "collect/collector.h"
#include "pg/application_name.h"
#include "pg/client_address.h"

namespace pgconn::collect {
namespace {

std::string sql(const Context& context) {
  const std::string monitoring = pg::monitoring_session_sql("coalesce(a.application_name, '')");
  const std::string age = std::to_string(context.leaks.connection_age_seconds);
  const std::string iit_age = std::to_string(context.leaks.idle_in_transaction_seconds);
  return R"sql(
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
       )sql" + pg::client_address_sql("") + R"sql(,
       count(*),
       max(extract(epoch FROM now_ts - backend_start)) FILTER (WHERE NOT monitoring),
       max(extract(epoch FROM now_ts - xact_start)) FILTER (WHERE NOT monitoring),
       max(extract(epoch FROM now_ts - state_change)) FILTER (WHERE iit),
       count(*) FILTER (WHERE NOT monitoring AND now_ts - backend_start > )sql" + age + R"sql( * interval '1 second'),
       count(*) FILTER (WHERE iit AND now_ts - state_change > )sql" + iit_age + R"sql( * interval '1 second'),
       (array_agg(pid ORDER BY backend_start) FILTER (WHERE NOT monitoring))[1:5],
       (array_agg(extract(epoch FROM backend_start) ORDER BY backend_start) FILTER (WHERE NOT monitoring))[1:5],
       bool_or(monitoring)
FROM (SELECT a.*, clock_timestamp() AS now_ts, )sql" + monitoring + R"sql( AS monitoring,
             coalesce(a.state LIKE 'idle in transaction%', false) AND NOT )sql" + monitoring + R"sql( AS iit
      FROM pg_stat_activity a
      WHERE a.backend_type = 'client backend') s
GROUP BY 1, 2, 3)sql";
}

// "{1765100000.5,1765100001}" -> the numbers, as PostgreSQL prints them.
std::vector<double> parse_number_array(const std::string& text) {
  std::vector<double> out;
  const char* p = text.c_str();
  while (*p) {
    char* end;
    double v = std::strtod(p, &end);
    if (end == p) {
      ++p;
    } else {
      out.push_back(v);
      p = end;
    }
  }
  return out;
}

void keep_max(std::optional<double>& into, const std::optional<double>& value) {
  if (value && (!into || *value > *into)) into = value;
}

void read(const pg::Result& r, model::ServerStats& stats) {
  // Per application and state: the row, and its oldest (start, pid) pairs.
  std::map<std::pair<std::string, std::string>, std::pair<model::ApplicationStateRow, std::vector<std::pair<double, int>>>>
      groups;
  for (int row = 0; row < r.rows(); ++row) {
    model::ClientAddressRow by_address;
    by_address.application_name = r.text(row, 0);
    by_address.state = r.text(row, 1);
    by_address.client_addr = r.text(row, 2);
    by_address.connections = r.integer(row, 3);
    by_address.older_than_age_threshold = r.integer(row, 7);
    by_address.idle_in_transaction_too_long = r.integer(row, 8);
    by_address.monitoring = r.boolean(row, 11);

    auto& [a, oldest] = groups[{by_address.application_name, by_address.state}];
    a.application_name = by_address.application_name;
    a.state = by_address.state;
    a.connections += by_address.connections;
    keep_max(a.oldest_connection_age_seconds, r.number(row, 4));
    keep_max(a.oldest_transaction_age_seconds, r.number(row, 5));
    keep_max(a.oldest_idle_in_transaction_age_seconds, r.number(row, 6));
    a.older_than_age_threshold += by_address.older_than_age_threshold;
    a.idle_in_transaction_too_long += by_address.idle_in_transaction_too_long;
    a.monitoring = a.monitoring || by_address.monitoring;
    std::vector<int> pids = parse_pid_array(r.text(row, 9));
    std::vector<double> starts = parse_number_array(r.text(row, 10));
    for (size_t i = 0; i < pids.size() && i < starts.size(); ++i) oldest.push_back({starts[i], pids[i]});
    stats.client_addresses.push_back(std::move(by_address));
  }
  for (auto& [key, group] : groups) {
    auto& [a, oldest] = group;
    std::sort(oldest.begin(), oldest.end());
    for (size_t i = 0; i < oldest.size() && i < 5; ++i) a.sample_pids.push_back(oldest[i].second);
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
