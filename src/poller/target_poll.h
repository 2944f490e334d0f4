// One target's polling state: its connection pool (one connection by
// default, kept open across polls) and the snapshot it builds. run() does
// one poll: checks a connection out (opening one when needed), runs the
// collectors, records the outcome. The daemon's poller and the one-shot CLI
// commands (diagnose, monitor, reset) share it, so they see the same data.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "pg/session.h"
#include "pool/pool.h"
#include "model/snapshot.h"

namespace pgconn::poller {

class TargetPoll {
 public:
  // `application_name`: the daemon's, or an operator command's (pg/application_name.h).
  TargetPoll(config::Target target, const config::PoolSettings& pool, std::chrono::milliseconds timeout,
             std::string application_name = pg::kDaemonApplication);
  // The pool's connection factory refers to this object: it must stay put.
  TargetPoll(const TargetPoll&) = delete;
  TargetPoll& operator=(const TargetPoll&) = delete;

  // Returns true when the poll succeeded. Never throws for database errors.
  bool run();

  // Runs SQL on the target's pooled connection (for `reset`). Throws pg::Error.
  std::vector<pg::Result> query(const std::string& sql);

  const model::Snapshot& snapshot() const { return snapshot_; }
  const config::Target& target() const { return target_; }
  // Only thresholds, declarations and the timeout may change: the pool and
  // its open connection stay.
  void reconfigure(config::Target target, std::chrono::milliseconds timeout);
  int consecutive_failures() const { return consecutive_failures_; }
  // The pool's metrics (label pool and target = the target's name).
  // Null for pgbouncer targets, which use no pool.
  std::shared_ptr<prometheus::Collectable> pool_metrics() const { return pool_ ? pool_->collectable() : nullptr; }

 private:
  void run_connect_probe();
  void poll_postgres(pg::Clock::time_point started);
  void poll_pgbouncer(pg::Clock::time_point started);

  config::Target target_;
  std::chrono::milliseconds timeout_;
  std::string application_name_;
  std::unique_ptr<pool::Pool> pool_;                  // postgres targets
  std::unique_ptr<pg::ConsoleSession> console_;      // pgbouncer targets: libpqxx refuses the console
  model::Snapshot snapshot_;
  int consecutive_failures_ = 0;
};

// libpq connection settings for a target (reads its password_file).
pg::ConnectOptions connect_options(const config::Target& target, std::chrono::milliseconds timeout,
                                   const std::string& application_name);

}  // namespace pgconn::poller
