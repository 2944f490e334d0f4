// Connections with no server behind them, for tests and benchmarks of the
// pool's own logic (queueing, accounting, invalidation). Anything about real
// connections is tested against a real server in pool_pg_test.cpp.
#pragma once

#include <pqxx/connection>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_capture.h"
#include "pool/connection_ops.h"
#include "pool/pool.h"

namespace pooltest {

// Counts live fake connections and injects failures at given rates.
struct FakeWorld {
  std::atomic<int> opened{0};
  std::atomic<int> alive{0};
  double connect_failure_rate = 0.0;
  double ping_failure_rate = 0.0;

  static bool roll(double rate) {
    if (rate <= 0.0) return false;
    thread_local std::mt19937 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < rate;
  }
};

// A pqxx::nullconnection never connects; the flags stand in for the state a
// real connection would have, and `holders` proves no double issue.
class FakeConnection : public pqxx::nullconnection {
 public:
  explicit FakeConnection(std::shared_ptr<FakeWorld> world)
      : id(++world->opened), world_(std::move(world)) {
    ++world_->alive;
  }
  ~FakeConnection() { --world_->alive; }

  const int id;
  std::atomic<int> holders{0};
  std::atomic<bool> in_transaction{false};  // reset() rolls it back
  std::atomic<bool> stuck{false};           // reset() cannot clean it
  std::atomic<bool> dead{false};            // pings fail, reset() says broken

 private:
  std::shared_ptr<FakeWorld> world_;
};

inline FakeConnection& fake(const pgconn::pool::PooledConnection& handle) {
  return static_cast<FakeConnection&>(*handle);
}

class FakeOps : public pgconn::pool::detail::ConnectionOps {
 public:
  explicit FakeOps(std::shared_ptr<FakeWorld> world) : world_(std::move(world)) {}

  bool ping(pqxx::connection_base& conn, std::chrono::milliseconds, std::string& error) override {
    auto& f = static_cast<FakeConnection&>(conn);
    if (f.dead || FakeWorld::roll(world_->ping_failure_rate)) {
      error = "fake connection is dead";
      return false;
    }
    return true;
  }

  pgconn::pool::detail::ResetResult reset(pqxx::connection_base& conn, std::chrono::milliseconds,
                                          std::string& error) override {
    using pgconn::pool::detail::ResetResult;
    auto& f = static_cast<FakeConnection&>(conn);
    if (f.dead) {
      error = "fake connection is dead";
      return ResetResult::broken;
    }
    if (f.stuck) {
      error = "fake connection is stuck";
      return ResetResult::failed;
    }
    return f.in_transaction.exchange(false) ? ResetResult::rolled_back : ResetResult::clean;
  }

 private:
  std::shared_ptr<FakeWorld> world_;
};

// Options whose factory makes fakes (failing at world->connect_failure_rate).
inline pgconn::pool::PoolOptions fake_options(const std::shared_ptr<FakeWorld>& world) {
  pgconn::pool::PoolOptions options;
  options.name = "fake";
  options.factory = [world]() -> std::shared_ptr<pqxx::connection_base> {
    if (FakeWorld::roll(world->connect_failure_rate)) {
      throw std::runtime_error("fake connect failure");
    }
    return std::make_shared<FakeConnection>(world);
  };
  options.log = [](pgconn::pool::LogLevel, const std::string&) {};
  return options;
}

inline std::unique_ptr<pgconn::pool::Pool> make_fake_pool(const std::shared_ptr<FakeWorld>& world,
                                                          pgconn::pool::PoolOptions options) {
  return std::make_unique<pgconn::pool::Pool>(std::move(options),
                                              std::make_unique<FakeOps>(world));
}

}  // namespace pooltest
