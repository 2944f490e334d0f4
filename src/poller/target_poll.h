// One target's polling state: its persistent session and the snapshot it
// builds. run() does one poll: (re)connects when needed, runs the
// collectors, records the outcome. The daemon's poller and the one-shot CLI
// commands (diagnose, monitor, reset) share it, so they see the same data.
#pragma once

#include <chrono>
#include <memory>

#include "config/config.h"
#include "pg/session.h"
#include "snapshot.h"

namespace pgconn {

class TargetPoll {
 public:
  explicit TargetPoll(config::Target target);

  // Returns true when the poll succeeded. Never throws for database errors.
  bool run(std::chrono::milliseconds timeout);

  const Snapshot& snapshot() const { return snapshot_; }
  const config::Target& target() const { return target_; }
  // Keeps the session: only thresholds and declarations may change here.
  void set_target(config::Target target) { target_ = std::move(target); }
  int consecutive_failures() const { return consecutive_failures_; }
  // The open session, or null while disconnected.
  pg::Session* session() { return session_.get(); }

 private:
  void run_connect_probe(std::chrono::milliseconds timeout);

  config::Target target_;
  std::unique_ptr<pg::Session> session_;
  Snapshot snapshot_;
  int consecutive_failures_ = 0;
};

// libpq connection settings for a target (reads its password_file).
pg::ConnectOptions connect_options(const config::Target& target, std::chrono::milliseconds timeout);

}  // namespace pgconn
