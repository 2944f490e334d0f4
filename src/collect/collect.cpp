#include "collect/collector.h"

namespace pgconn::collect {

model::ServerStats collect(pg::Session& session, const model::LeakThresholds& leaks,
                           std::chrono::milliseconds timeout) {
  static const Collector* const all[] = {&settings_collector, &activity_collector, &databases_collector,
                                         &users_collector,    &backends_collector, &sessions_collector};
  Context context{session.server_version(), leaks};
  std::vector<const Collector*> applicable;
  std::string batch;
  for (const Collector* c : all) {
    std::string sql = c->sql(context);
    if (sql.empty()) continue;
    applicable.push_back(c);
    batch += sql + ";\n";
  }
  std::vector<pg::Result> results = session.query(batch, timeout);
  if (results.size() != applicable.size()) {
    throw pg::Error(pg::ErrorKind::query, "",
                    "expected " + std::to_string(applicable.size()) + " results, got " +
                        std::to_string(results.size()));
  }
  model::ServerStats stats;
  stats.leak_thresholds = leaks;
  for (size_t i = 0; i < applicable.size(); ++i) applicable[i]->read(results[i], stats);
  return stats;
}

}  // namespace pgconn::collect
