// Reading PgBouncer's admin console: each SHOW command in its own round
// trip under one shared deadline, columns looked up by name so that columns
// added by newer versions do not matter.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <map>
#include <string>

#include "model/snapshot.h"
#include "pg/session.h"

namespace pgconn::collect {

// Column positions of one console result, looked up by name.
class Columns {
 public:
  explicit Columns(const pg::Result& result) : result_(result) {
    const PGresult* raw = result.raw();
    for (int c = 0; c < PQnfields(raw); ++c) index_[PQfname(raw, c)] = c;
  }
  std::string text(int row, const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? "" : result_.text(row, it->second);
  }
  int64_t integer(int row, const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? 0 : result_.integer(row, it->second);
  }

 private:
  const pg::Result& result_;
  std::map<std::string, int> index_;
};

class Console {
 public:
  Console(pg::ConsoleSession& session, std::chrono::milliseconds timeout)
      : session_(session), deadline_(pg::Clock::now() + timeout) {}

  template <typename Read>
  void show(const std::string& command, Read read) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - pg::Clock::now());
    if (left.count() <= 0) throw pg::Error(pg::ErrorKind::timeout, "", "no time left for " + command);
    pg::Result result = session_.query(command, left);
    Columns columns(result);
    for (int row = 0; row < result.rows(); ++row) read(columns, row);
  }

 private:
  pg::ConsoleSession& session_;
  pg::Clock::time_point deadline_;
};


// SHOW CLIENTS into stats.clients (collect/pgbouncer_clients.cpp).
void read_pgbouncer_clients(Console& console, model::PoolerStats& stats);

}  // namespace pgconn::collect
