// Polls every target in the background with a bounded number of worker
// threads. Each target keeps ONE persistent session, so the exporter holds
// its slot when the server fills up. A slow or dead target occupies at most
// one worker for at most the poll timeout and never delays the others. Each
// poll publishes its snapshot with its assessment (model/assessment.h);
// every configured target has one from the start ("not polled yet").
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config.h"
#include "pg/session.h"
#include "poller/target_poll.h"
#include "poller/snapshot_store.h"

namespace pgconn::poller {

class Poller {
 public:
  Poller(const config::Config& config, SnapshotStore& store);
  ~Poller();  // stops and joins
  void start();
  void stop();
  // Applies a new configuration. Targets whose connection settings did not
  // change keep their session (and so their slot on a full server).
  void reconfigure(const config::Config& config);
  // Each target's pool metrics (PostgreSQL targets), by target name.
  std::vector<std::pair<std::string, std::shared_ptr<prometheus::Collectable>>> pool_metrics();

 private:
  struct TargetState {
    TargetState(const config::Target& target, const config::PoolSettings& pool, std::chrono::milliseconds timeout,
                pg::Clock::time_point due)
        : poll(target, pool, timeout), next_due(due) {}
    TargetPoll poll;  // its snapshot is the working copy; a frozen copy is published
    pg::Clock::time_point next_due;
    bool in_progress = false;
  };

  void worker();
  void poll(TargetState& state, std::chrono::milliseconds interval);
  void add_targets_locked(const config::Config& config);
  TargetState* next_due_locked();

  void publish_locked(TargetState& state);

  std::chrono::milliseconds interval_;
  model::Cardinality cardinality_;
  int workers_;
  SnapshotStore& store_;
  std::vector<std::unique_ptr<TargetState>> targets_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool paused_ = false;  // while reconfiguring: workers take no new polls
};

// The wait before retrying a failing target: exponential from 250 ms with
// jitter (x0.5 to x1), never longer than one poll interval.
std::chrono::milliseconds retry_delay(int consecutive_failures, std::chrono::milliseconds interval);

}  // namespace pgconn::poller
