// The pool's bookkeeping, with fake connections (no server): handle rules,
// LIFO reuse, overflow, the cap and timeouts, FIFO waiting, invalidation,
// reset on return, recycle, pre-ping and leak detection.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "fake_connection.h"

using namespace std::chrono_literals;
using pgconn::pool::CloseReason;
using pgconn::pool::PooledConnection;
using pgconn::pool::PoolTimeout;
using pooltest::fake;

namespace {

// Polls cond every millisecond for up to `limit`.
template <typename Cond>
bool eventually(Cond cond, std::chrono::milliseconds limit = 2000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class PoolLogic : public ::testing::Test {
 protected:
  std::shared_ptr<pooltest::FakeWorld> world = std::make_shared<pooltest::FakeWorld>();
  pgconn::pool::PoolOptions options = pooltest::fake_options(world);
  std::unique_ptr<pgconn::pool::Pool> make() { return pooltest::make_fake_pool(world, options); }
};

TEST_F(PoolLogic, HandleEmptiesOnReleaseAndMoveAndThrowsWhenEmpty) {
  auto pool = make();
  PooledConnection a = pool->acquire("job");
  EXPECT_EQ(a.tag(), "job");
  EXPECT_EQ(fake(a).id, 1);
  PooledConnection b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_THROW(a->is_open(), std::logic_error);
  EXPECT_THROW(a.tag(), std::logic_error);
  EXPECT_EQ(pool->snapshot().in_use, 1u);
  b.release();
  EXPECT_FALSE(b);
  EXPECT_THROW(*b, std::logic_error);
  b.release();  // an empty handle has nothing to return
  auto s = pool->snapshot();
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(s.acquires_ok, 1u);
  EXPECT_EQ(s.use_duration.count, 1u);
}

TEST_F(PoolLogic, MoveAssignmentReturnsTheOverwrittenConnection) {
  auto pool = make();
  PooledConnection a = pool->acquire();
  PooledConnection b = pool->acquire();
  a = std::move(b);
  EXPECT_EQ(fake(a).id, 2);
  EXPECT_EQ(pool->snapshot().in_use, 1u);
  EXPECT_EQ(pool->snapshot().idle, 1u);
}

TEST_F(PoolLogic, ReusesTheMostRecentlyReturnedConnection) {
  auto pool = make();
  std::vector<PooledConnection> held;
  for (int i = 0; i < 3; ++i) held.push_back(pool->acquire());
  for (auto& h : held) h.release();  // ids 1, 2, 3 go back in that order
  EXPECT_EQ(fake(pool->acquire()).id, 3);
  auto first = pool->acquire();
  auto second = pool->acquire();
  EXPECT_EQ(fake(first).id, 3);
  EXPECT_EQ(fake(second).id, 2);
}

TEST_F(PoolLogic, OverflowIsClosedOnReturnAndCapIsHard) {
  options.pool_size = 2;
  options.max_overflow = 2;
  options.timeout = 50ms;
  auto pool = make();
  std::vector<PooledConnection> held;
  for (int i = 0; i < 4; ++i) held.push_back(pool->acquire());
  EXPECT_EQ(pool->snapshot().overflow(), 2u);
  try {
    pool->acquire();
    FAIL() << "acquire beyond the cap succeeded";
  } catch (const PoolTimeout& e) {
    EXPECT_EQ(e.size(), 4u);
    EXPECT_EQ(e.max(), 4u);
    EXPECT_EQ(e.in_use(), 4u);
    EXPECT_EQ(e.idle(), 0u);
    EXPECT_EQ(e.waiting(), 0u);
    EXPECT_NE(std::string(e.what()).find("in use 4"), std::string::npos);
  }
  held.clear();
  auto s = pool->snapshot();
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.overflow(), 0u);
  EXPECT_EQ(s.closed(CloseReason::overflow), 2u);
  EXPECT_EQ(s.acquires_timeout, 1u);
  EXPECT_EQ(s.acquire_duration.count, 5u);  // the timeout is observed too
  EXPECT_EQ(world->alive, 2);
}

TEST_F(PoolLogic, TimeoutCarriesCountsIncludingOtherWaiters) {
  options.pool_size = 1;
  options.max_overflow = 0;
  // Long enough that the second acquire below queues before `first` gives
  // up, however slowly (sanitizers, 2 cores) the 300 ms sleep returns.
  options.timeout = 3000ms;
  auto pool = make();
  auto held = pool->acquire();
  std::size_t first_saw_waiting = 99, first_saw_in_use = 99;
  std::thread first([&] {
    try {
      pool->acquire();
    } catch (const PoolTimeout& e) {
      first_saw_waiting = e.waiting();
      first_saw_in_use = e.in_use();
    }
  });
  ASSERT_TRUE(eventually([&] { return pool->snapshot().pending == 1; }));
  // Queue up well after `first` (so its deadline clearly comes first) and
  // well before it gives up: `first` must then see this call waiting.
  std::this_thread::sleep_for(300ms);
  EXPECT_THROW(pool->acquire(), PoolTimeout);
  first.join();
  EXPECT_EQ(first_saw_waiting, 1u);
  EXPECT_EQ(first_saw_in_use, 1u);
  auto s = pool->snapshot();
  EXPECT_EQ(s.acquires_timeout, 2u);
  EXPECT_EQ(s.pending, 0u);
}

TEST_F(PoolLogic, WaitersAreServedFirstComeFirstServed) {
  options.pool_size = 1;
  options.max_overflow = 0;
  options.timeout = 5s;
  auto pool = make();
  auto held = pool->acquire();
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  for (int i = 1; i <= 3; ++i) {
    waiters.emplace_back([&, i] {
      auto c = pool->acquire();
      std::lock_guard<std::mutex> guard(mu);
      order.push_back(i);
    });
    ASSERT_TRUE(eventually([&] { return pool->snapshot().pending == static_cast<std::size_t>(i); }));
  }
  std::this_thread::sleep_for(10ms);
  auto s = pool->snapshot();
  EXPECT_GE(s.oldest_pending_seconds, 0.009);
  EXPECT_EQ(s.in_use, 1u);
  held.release();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(pool->snapshot().pending, 0u);
  EXPECT_EQ(pool->snapshot().oldest_pending_seconds, 0.0);
}

TEST_F(PoolLogic, InvalidateRetiresEveryConnectionOpenedBefore) {
  auto pool = make();
  auto a = pool->acquire();
  auto b = pool->acquire();
  auto c = pool->acquire();
  auto d = pool->acquire();
  c.release();
  d.release();
  a.invalidate();
  EXPECT_FALSE(a);
  auto s = pool->snapshot();
  EXPECT_EQ(s.closed(CloseReason::broken), 1u);
  EXPECT_EQ(s.closed(CloseReason::invalidated), 2u);  // c and d, idle
  EXPECT_EQ(s.idle, 0u);
  auto e = pool->acquire();
  EXPECT_EQ(fake(e).id, 5);
  e.release();
  // b was open before the disconnect: closed when it comes back, and its own
  // breakage does not retire e, which is newer than the invalidation.
  b.invalidate();
  s = pool->snapshot();
  EXPECT_EQ(s.closed(CloseReason::broken), 2u);
  EXPECT_EQ(s.idle, 1u);
  auto f = pool->acquire();
  auto g = pool->acquire();
  EXPECT_EQ(fake(f).id, 5);
  EXPECT_EQ(fake(g).id, 6);
}

TEST_F(PoolLogic, OlderConnectionInUseIsClosedOnReturnNotBefore) {
  auto pool = make();
  auto a = pool->acquire();
  auto b = pool->acquire();
  a.invalidate();
  EXPECT_TRUE(b);
  EXPECT_EQ(pool->snapshot().in_use, 1u);
  b.release();
  auto s = pool->snapshot();
  EXPECT_EQ(s.closed(CloseReason::invalidated), 1u);
  EXPECT_EQ(s.idle, 0u);
  EXPECT_EQ(world->alive, 0);
}

TEST_F(PoolLogic, ResetOnReturn) {
  pooltest::LogCapture log;
  options.log = log.function();
  auto pool = make();
  auto a = pool->acquire("tx");
  auto b = pool->acquire();
  auto c = pool->acquire();
  fake(a).in_transaction = true;
  auto& fa = fake(a);
  a.release();
  EXPECT_FALSE(fa.in_transaction);
  EXPECT_EQ(log.count("rolled back"), 1);
  EXPECT_EQ(pool->snapshot().idle, 1u);
  fake(b).stuck = true;
  b.release();
  EXPECT_EQ(pool->snapshot().closed(CloseReason::reset_failed), 1u);
  EXPECT_EQ(pool->snapshot().idle, 1u);  // a stuck connection alone does not invalidate
  fake(c).dead = true;                   // broke without the caller noticing
  c.release();
  auto s = pool->snapshot();
  EXPECT_EQ(s.closed(CloseReason::broken), 1u);
  EXPECT_EQ(s.closed(CloseReason::invalidated), 1u);
  EXPECT_EQ(s.idle, 0u);
}

TEST_F(PoolLogic, RecycleAtCheckoutOnReturnAndByReaper) {
  // Steps between two sleeps must take less than `recycle` (else a connection
  // expires early and the counts differ): 300 ms leaves room for a slow
  // (sanitizer, 2-core) machine; each sleep outlasts it.
  options.recycle = 300ms;
  options.recycle_jitter = 0.0;
  options.reaper_interval = 10s;  // keep the reaper out of the first part
  {
    auto pool = make();
    pool->acquire().release();
    std::this_thread::sleep_for(350ms);
    EXPECT_EQ(fake(pool->acquire()).id, 2);  // expired at checkout
    EXPECT_EQ(pool->snapshot().closed(CloseReason::recycle), 1u);
    auto held = pool->acquire();
    std::this_thread::sleep_for(350ms);
    EXPECT_EQ(pool->snapshot().in_use, 1u);  // the reaper never takes one in use
    held.release();                         // expired on return
    EXPECT_EQ(pool->snapshot().closed(CloseReason::recycle), 2u);
  }
  options.reaper_interval = 5ms;
  options.recycle = 200ms;
  options.recycle_jitter = 0.5;
  auto pool = make();
  const auto start = std::chrono::steady_clock::now();
  auto held = pool->acquire();
  const auto held_opened = std::chrono::steady_clock::now();  // `held` opened before this
  pool->acquire().release();
  ASSERT_TRUE(eventually([&] { return pool->snapshot().idle == 0; }, 3000ms));
  const auto lived = std::chrono::steady_clock::now() - start;
  EXPECT_GE(lived, 100ms);  // jitter takes at most half of recycle off
  EXPECT_LT(lived, 3000ms);  // the reaper did it, with room for a slow machine
  // `held` is now expired too: at most `recycle` after it opened, however
  // long the steps above took.
  std::this_thread::sleep_until(held_opened + 250ms);
  auto s = pool->snapshot();
  EXPECT_EQ(s.closed(CloseReason::recycle), 1u);
  EXPECT_EQ(s.in_use, 1u);  // the reaper never closes a connection in use
  held.release();
  EXPECT_EQ(pool->snapshot().closed(CloseReason::recycle), 2u);
}

TEST_F(PoolLogic, PrePingSkipsRecentAndReconnectsOnFailure) {
  options.pre_ping = true;
  options.pre_ping_idle_threshold = 10s;
  {
    auto pool = make();
    pool->acquire().release();
    pool->acquire().release();
    EXPECT_EQ(pool->snapshot().pre_pings_ok, 0u);  // used moments ago
  }
  options.pre_ping_idle_threshold = 0ms;
  auto pool = make();
  auto a = pool->acquire();
  auto b = pool->acquire();
  auto& fb = fake(b);
  a.release();
  b.release();
  fb.dead = true;  // b is reused first (LIFO) and fails its ping
  auto c = pool->acquire();
  EXPECT_EQ(fake(c).id, world->opened.load());  // a new one, not a
  auto s = pool->snapshot();
  EXPECT_EQ(s.pre_pings_failed, 1u);
  EXPECT_EQ(s.closed(CloseReason::pre_ping_failed), 1u);
  EXPECT_EQ(s.closed(CloseReason::invalidated), 1u);  // a, opened before
  EXPECT_EQ(s.acquires_ok, 3u);
  c.release();
  pool->acquire();
  EXPECT_EQ(pool->snapshot().pre_pings_ok, 1u);
}

TEST_F(PoolLogic, LeakIsLoggedOnceWithTagAndCounted) {
  pooltest::LogCapture log;
  options.log = log.function();
  // `quick` must be back before the threshold even if this thread is
  // preempted (sanitizers, 2 cores); `held` leaks once it has passed.
  options.leak_threshold = 300ms;
  options.reaper_interval = 5ms;
  auto pool = make();
  auto held = pool->acquire("nightly-report");
  auto quick = pool->acquire("quick");
  quick.release();
  ASSERT_TRUE(eventually([&] { return log.count("nightly-report") == 1; }, 5000ms));
  std::this_thread::sleep_for(50ms);  // several more reaper passes
  EXPECT_EQ(log.count("nightly-report"), 1);
  EXPECT_EQ(log.count("quick"), 0);
  auto s = pool->snapshot();
  EXPECT_EQ(s.leaks_detected, 1u);
  EXPECT_EQ(s.suspected_leaks, 1u);
  held.release();
  s = pool->snapshot();
  EXPECT_EQ(s.suspected_leaks, 0u);
  EXPECT_EQ(s.leaks_detected, 1u);
}

TEST_F(PoolLogic, FactoryFailureIsCountedAndFreesItsPlace) {
  options.pool_size = 1;
  options.max_overflow = 0;
  world->connect_failure_rate = 1.0;
  auto pool = make();
  EXPECT_THROW(pool->acquire(), std::runtime_error);
  auto s = pool->snapshot();
  EXPECT_EQ(s.acquires_error, 1u);
  EXPECT_EQ(s.opening, 0u);
  world->connect_failure_rate = 0.0;
  EXPECT_EQ(fake(pool->acquire()).id, 1);
}

TEST_F(PoolLogic, RejectsInconsistentOptions) {
  auto bad = options;
  bad.pool_size = 0;
  bad.max_overflow = 0;
  EXPECT_THROW(pooltest::make_fake_pool(world, bad), std::invalid_argument);
  bad = options;
  bad.recycle_jitter = 1.0;
  EXPECT_THROW(pooltest::make_fake_pool(world, bad), std::invalid_argument);
  bad = options;
  bad.metric_labels = {{"pool", "x"}};
  EXPECT_THROW(pooltest::make_fake_pool(world, bad), std::invalid_argument);
}

TEST_F(PoolLogic, HandleMayOutliveThePool) {
  auto pool = make();
  auto held = pool->acquire();
  pool->acquire().release();
  auto collectable = pool->collectable();
  pool.reset();
  EXPECT_EQ(world->alive, 1);  // the idle one closed with the pool
  EXPECT_FALSE(collectable->Collect().empty());
  held.release();
  EXPECT_EQ(world->alive, 0);
  EXPECT_TRUE(collectable->Collect().empty());
}

TEST_F(PoolLogic, AcquireFailsOnceClosed) {
  options.pool_size = 1;
  options.max_overflow = 0;
  options.timeout = 5s;
  auto pool = make();
  auto held = pool->acquire();
  std::thread waiter([&] { EXPECT_THROW(pool->acquire(), pgconn::pool::PoolError); });
  ASSERT_TRUE(eventually([&] { return pool->snapshot().pending == 1; }));
  pool.reset();  // wakes the waiter, which must not wait out its 5 s
  waiter.join();
}

}  // namespace
