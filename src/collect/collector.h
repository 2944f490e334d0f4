// A collector owns one SQL statement and the code that reads its rows into
// ServerStats. collect() sends every collector's statement in one round trip.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "pg/result.h"
#include "pg/session.h"
#include "snapshot.h"

namespace pgconn::collect {

struct Context {
  int server_version = 0;
  config::Thresholds thresholds;
};

struct Collector {
  std::string (*sql)(const Context&);  // empty: not applicable to this server
  void (*read)(const pg::Result&, ServerStats&);
};

extern const Collector settings_collector;
extern const Collector activity_collector;
extern const Collector databases_collector;
extern const Collector users_collector;
extern const Collector backends_collector;
extern const Collector sessions_collector;

// Runs every applicable collector in one round trip. Throws pg::Error.
ServerStats collect(pg::Session& session, const config::Thresholds& thresholds,
                    std::chrono::milliseconds timeout);

}  // namespace pgconn::collect
