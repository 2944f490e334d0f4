// Many threads acquiring and returning fake connections with random hold
// times while failures are injected everywhere the pool can see one. A
// watcher checks the invariants on every snapshot. Bounded in iterations and
// in wall time so it ends on a slow (or sanitized) build too.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "fake_connection.h"

using namespace std::chrono_literals;
using pgconn::pool::PoolError;
using pgconn::pool::PoolStats;
using pgconn::pool::PoolTimeout;

namespace {

struct Totals {
  std::atomic<std::uint64_t> ok{0}, timeouts{0}, errors{0}, double_issued{0};
};

void check_invariants(const PoolStats& s, std::size_t max_overflow) {
  ASSERT_LE(s.total(), s.max_connections);
  ASSERT_LE(s.overflow(), max_overflow);
  ASSERT_LE(s.idle, s.pool_size);
  // Every connection opened is either closed or still accounted for.
  ASSERT_EQ(s.connections_opened - s.closed_total(), s.idle + s.in_use);
  ASSERT_GE(s.utilization(), 0.0);
  ASSERT_LE(s.utilization(), 1.0);
}

void worker(pgconn::pool::Pool& pool, int seed, int iterations,
            std::chrono::steady_clock::time_point stop, Totals& totals) {
  std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<int> hold_us(0, 1500);
  for (int i = 0; i < iterations && std::chrono::steady_clock::now() < stop; ++i) {
    pgconn::pool::PooledConnection conn;
    try {
      conn = pool.acquire("worker-" + std::to_string(seed));
    } catch (const PoolTimeout&) {
      ++totals.timeouts;
      continue;
    } catch (const std::runtime_error&) {  // injected connect failure
      ++totals.errors;
      continue;
    }
    ++totals.ok;
    auto& f = pooltest::fake(conn);
    if (f.holders.fetch_add(1) != 0) ++totals.double_issued;
    std::this_thread::sleep_for(std::chrono::microseconds(hold_us(rng)));
    const int roll = percent(rng);
    f.holders.fetch_sub(1);
    if (roll < 3) {
      conn.invalidate();
    } else if (roll < 10) {
      f.in_transaction = true;
    } else if (roll < 12) {
      f.dead = true;
    } else if (roll < 14) {
      f.stuck = true;
    }
    // Otherwise, and after the flags above, the handle returns it here.
  }
}

// Whether the random contention above produced a timeout or a leak depends on
// the scheduler (a fast machine may see neither), so this makes both certain:
// hold every connection the pool may open past the leak threshold, then ask
// for one more.
void exhaust_then_time_out(pgconn::pool::Pool& pool, const pgconn::pool::PoolOptions& options,
                           Totals& totals) {
  const std::size_t max_connections = options.pool_size + options.max_overflow;
  std::vector<pgconn::pool::PooledConnection> held;
  for (int attempt = 0; attempt < 200 && held.size() < max_connections; ++attempt) {
    try {
      held.push_back(pool.acquire("hog"));
      ++totals.ok;
    } catch (const PoolTimeout&) {
      ++totals.timeouts;
    } catch (const std::runtime_error&) {  // injected connect failure
      ++totals.errors;
    }
  }
  ASSERT_EQ(held.size(), max_connections);
  const std::uint64_t leaks_before = pool.snapshot().leaks_detected;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (pool.snapshot().leaks_detected == leaks_before &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(options.reaper_interval);
  }
  EXPECT_THROW(pool.acquire("one-too-many"), PoolTimeout);
  ++totals.timeouts;
}

TEST(PoolStress, InvariantsHoldUnderContentionAndInjectedFailures) {
  auto world = std::make_shared<pooltest::FakeWorld>();
  world->connect_failure_rate = 0.03;
  world->ping_failure_rate = 0.02;
  auto options = pooltest::fake_options(world);
  options.pool_size = 4;
  options.max_overflow = 3;
  options.timeout = 2ms;  // short enough that some acquires time out
  options.pre_ping = true;
  options.pre_ping_idle_threshold = 0ms;
  options.recycle = 30ms;
  options.recycle_jitter = 0.5;
  options.leak_threshold = 1ms;  // nearly every checkout "leaks": exercises the reaper
  options.reaper_interval = 2ms;
  auto pool = pooltest::make_fake_pool(world, options);

  constexpr int kThreads = 12;
  constexpr int kIterations = 400;
  const auto stop = std::chrono::steady_clock::now() + 15s;
  Totals totals;
  std::atomic<bool> done{false};
  std::atomic<int> snapshots{0};
  std::thread watcher([&] {
    while (!done) {
      check_invariants(pool->snapshot(), options.max_overflow);
      if (::testing::Test::HasFatalFailure()) return;
      ++snapshots;
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back(worker, std::ref(*pool), t + 1, kIterations, stop, std::ref(totals));
  }
  for (auto& w : workers) w.join();
  done = true;
  watcher.join();
  exhaust_then_time_out(*pool, options, totals);

  const PoolStats s = pool->snapshot();
  check_invariants(s, options.max_overflow);
  EXPECT_EQ(totals.double_issued, 0u);
  EXPECT_GT(snapshots, 0);
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.opening, 0u);
  EXPECT_EQ(s.pending, 0u);
  EXPECT_EQ(s.acquires_ok, totals.ok);
  EXPECT_EQ(s.acquires_timeout, totals.timeouts);
  EXPECT_EQ(s.acquires_error, totals.errors);
  EXPECT_EQ(s.acquire_duration.count, totals.ok + totals.timeouts + totals.errors);
  EXPECT_EQ(s.use_duration.count, totals.ok);
  EXPECT_GT(totals.ok, 0u);
  EXPECT_GT(totals.timeouts, 0u);
  EXPECT_GT(totals.errors, 0u);
  EXPECT_GT(s.pre_pings_failed + s.pre_pings_ok, 0u);
  EXPECT_GT(s.leaks_detected, 0u);

  pool.reset();
  EXPECT_EQ(world->alive, 0);  // nothing lost: every fake was closed
}

TEST(PoolStress, ManyWaitersOneConnection) {
  auto world = std::make_shared<pooltest::FakeWorld>();
  auto options = pooltest::fake_options(world);
  options.pool_size = 1;
  options.max_overflow = 0;
  options.timeout = 2s;
  auto pool = pooltest::make_fake_pool(world, options);
  Totals totals;
  std::vector<std::thread> workers;
  const auto stop = std::chrono::steady_clock::now() + 10s;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back(worker, std::ref(*pool), 100 + t, 100, stop, std::ref(totals));
  }
  for (auto& w : workers) w.join();
  const PoolStats s = pool->snapshot();
  EXPECT_EQ(totals.double_issued, 0u);
  EXPECT_EQ(totals.timeouts, 0u);  // FIFO hand-over: nobody starves for 2 s
  EXPECT_LE(s.connections_opened - s.closed_total(), 1u);
  EXPECT_EQ(s.acquires_ok, totals.ok);
}

}  // namespace
