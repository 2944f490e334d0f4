// Cost of the pool's own work: acquire/release with fake connections (no
// server, so only locking, queueing and accounting are measured), uncontended
// and contended, plus the per-scrape cost of a snapshot and its rendering.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include <sstream>
#include <vector>

#include "fake_connection.h"

namespace {

// One pool shared by all threads of a run; Setup/Teardown run once around
// the threads, outside the timed region.
std::shared_ptr<pooltest::FakeWorld> g_world;
std::unique_ptr<pgconn::pool::Pool> g_pool;
std::vector<pgconn::pool::PooledConnection> g_held;

void make_pool(std::size_t pool_size, std::size_t max_overflow, bool pre_ping) {
  g_world = std::make_shared<pooltest::FakeWorld>();
  auto options = pooltest::fake_options(g_world);
  options.pool_size = pool_size;
  options.max_overflow = max_overflow;
  options.timeout = std::chrono::seconds(30);
  options.pre_ping = pre_ping;
  options.pre_ping_idle_threshold = std::chrono::milliseconds(0);
  g_pool = pooltest::make_fake_pool(g_world, options);
}

// A scrape-sized pool: 10 open, 5 of them checked out.
void make_busy_pool(const benchmark::State&) {
  make_pool(10, 10, false);
  for (int i = 0; i < 10; ++i) g_held.push_back(g_pool->acquire("bench"));
  g_held.resize(5);
}

void teardown(const benchmark::State&) {
  g_held.clear();
  g_pool.reset();
  g_world.reset();
}

void acquire_release(benchmark::State& state) {
  for (auto _ : state) {
    auto conn = g_pool->acquire("bench");
    benchmark::DoNotOptimize(conn.operator->());
  }
  state.SetItemsProcessed(state.iterations());
}

// Enough connections for every thread: measures lock contention only.
void BM_AcquireRelease(benchmark::State& state) { acquire_release(state); }
BENCHMARK(BM_AcquireRelease)
    ->Setup([](const benchmark::State& s) { make_pool(s.threads(), 0, false); })
    ->Teardown(teardown)
    ->ThreadRange(1, 8)
    ->UseRealTime();

// Two connections for up to eight threads: callers queue (FIFO hand-over).
void BM_AcquireReleaseScarce(benchmark::State& state) { acquire_release(state); }
BENCHMARK(BM_AcquireReleaseScarce)
    ->Setup([](const benchmark::State&) { make_pool(2, 0, false); })
    ->Teardown(teardown)
    ->ThreadRange(2, 8)
    ->UseRealTime();

// Pre-ping on every checkout: the extra unlock/ping/relock (the fake ping
// itself is free, a real one costs a server round trip on top).
void BM_AcquireReleasePrePing(benchmark::State& state) { acquire_release(state); }
BENCHMARK(BM_AcquireReleasePrePing)
    ->Setup([](const benchmark::State& s) { make_pool(s.threads(), 0, true); })
    ->Teardown(teardown)
    ->ThreadRange(1, 4)
    ->UseRealTime();

// What a scrape costs: one snapshot, and snapshot + families + text.
void BM_Snapshot(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(g_pool->snapshot());
}
BENCHMARK(BM_Snapshot)->Setup(make_busy_pool)->Teardown(teardown);

void BM_CollectAndSerialize(benchmark::State& state) {
  auto collectable = g_pool->collectable();
  prometheus::TextSerializer serializer;
  for (auto _ : state) {
    std::ostringstream out;
    serializer.Serialize(out, collectable->Collect());
    benchmark::DoNotOptimize(out.str());
  }
}
BENCHMARK(BM_CollectAndSerialize)->Setup(make_busy_pool)->Teardown(teardown);

}  // namespace

BENCHMARK_MAIN();
