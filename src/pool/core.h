// The pool's shared state. Pool owns it through a shared_ptr and every
// checkout handle holds another, so a handle outliving its Pool still has a
// valid place to return its connection to (it is then closed).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pool/connection_ops.h"
#include "pool/histogram.h"
#include "pool/pool.h"

namespace pgconn::pool::detail {

using Clock = std::chrono::steady_clock;

struct Slot {
  std::shared_ptr<pqxx::connection_base> conn;
  std::uint64_t generation = 0;  // order of opening; see retire_before_
  Clock::time_point expires_at;    // open time + jittered recycle, or max()
  Clock::time_point last_used_at;  // opened or last returned
  Clock::time_point checked_out_at;
  std::string tag;
  bool leak_reported = false;
};

class PoolCore {
 public:
  PoolCore(PoolOptions options, std::unique_ptr<ConnectionOps> ops);
  ~PoolCore();
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  Slot* acquire(const std::string& tag);
  void release(Slot* slot, bool broken) noexcept;
  PoolStats snapshot() const;
  // Stops the reaper, closes idle connections and fails later acquires.
  void close() noexcept;
  const PoolOptions& options() const { return options_; }

 private:
  struct Waiter {
    explicit Waiter(Clock::time_point t) : since(t) {}
    Clock::time_point since;
    std::condition_variable cv;
  };
  using Retired = std::vector<std::unique_ptr<Slot>>;  // closed once unlocked
  using Messages = std::vector<std::pair<LogLevel, std::string>>;

  void wait_for_turn(std::unique_lock<std::mutex>& lock, Clock::time_point start,
                     Clock::time_point deadline);
  std::unique_ptr<Slot> take_idle_locked(Clock::time_point now, Retired& retired);
  Slot* open_reserved(const std::string& tag, Clock::time_point start);
  Clock::time_point expiry_locked(Clock::time_point opened);
  void retire_locked(std::unique_ptr<Slot> slot, CloseReason reason, Retired& retired);
  void invalidate_older_locked(std::uint64_t broken_generation, Retired& retired,
                               Messages& messages);
  void observe_acquire_locked(Clock::time_point start, Clock::time_point now);
  bool capacity_locked() const;
  void wake_front_locked();
  void reap();
  void log(const Messages& messages) const;

  const PoolOptions options_;
  const std::size_t max_;
  const std::unique_ptr<ConnectionOps> ops_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> idle_;  // back() is the most recently used
  std::unordered_map<Slot*, std::unique_ptr<Slot>> in_use_;
  std::size_t opening_ = 0;
  std::list<Waiter> waiters_;  // FIFO; front() waits longest
  std::uint64_t next_generation_ = 1;
  std::uint64_t retire_before_ = 0;  // generations below this are retired
  bool closed_ = false;
  std::mt19937_64 rng_;

  std::uint64_t acquires_ok_ = 0, acquires_timeout_ = 0, acquires_error_ = 0;
  std::uint64_t opened_ = 0, pre_pings_ok_ = 0, pre_pings_failed_ = 0, leaks_ = 0;
  std::array<std::uint64_t, kCloseReasonCount> closed_by_reason_{};
  FixedHistogram acquire_duration_, use_duration_, connect_duration_;

  std::condition_variable reaper_cv_;
  std::thread reaper_;
};

}  // namespace pgconn::pool::detail
