// A collector owns one SQL statement and the code that reads its rows into
// ServerStats. collect() sends every collector's statement in one round trip.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pg/result.h"
#include "pg/session.h"
#include "model/snapshot.h"

namespace pgconn::collect {

struct Context {
  int server_version = 0;
  model::LeakThresholds leaks;  // the activity collector counts leak suspects in SQL
};

struct Collector {
  std::string (*sql)(const Context&);  // empty: not applicable to this server
  void (*read)(const pg::Result&, model::ServerStats&);
};

extern const Collector settings_collector;
extern const Collector activity_collector;
extern const Collector databases_collector;
extern const Collector users_collector;
extern const Collector backends_collector;
extern const Collector sessions_collector;

// Runs every applicable collector in one round trip; the stats record the
// leak thresholds used. Throws pg::Error.
model::ServerStats collect(pg::Session& session, const model::LeakThresholds& leaks,
                           std::chrono::milliseconds timeout);

// "{12,34}" -> {12, 34}: an int array as PostgreSQL prints it.
std::vector<int> parse_pid_array(const std::string& text);

}  // namespace pgconn::collect
