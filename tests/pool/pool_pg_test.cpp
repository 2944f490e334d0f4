// The pool against a real PostgreSQL 15 (one throwaway server per test):
// what only a real connection can show — rollback, restarts, terminated
// backends, a frozen server, recycling — plus the metrics it reports.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "log_capture.h"
#include "pg_server.h"
#include "pool/pool.h"

using namespace std::chrono_literals;
using pgconn::pool::CloseReason;
using pgconn::pool::Pool;
using pgconn::pool::PoolOptions;
using pgconn::pool::PoolTimeout;

namespace {

class PoolPg : public ::testing::Test {
 protected:
  PoolPg() : server_(server_options()) {
    options.name = "it";
    options.conninfo = server_.conninfo() + " application_name=pooltest connect_timeout=2";
    options.log = log.function();
  }
  static pgtest::PgServerOptions server_options() {
    pgtest::PgServerOptions o;
    o.max_connections = 20;
    return o;
  }
  // Backends the pool has open, as the server sees them.
  int server_side_connections() {
    return std::stoi(server_.psql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pooltest'"));
  }
  static int backend_pid(pgconn::pool::PooledConnection& c) {
    pqxx::nontransaction tx(*c);
    return tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  }
  std::string metrics(const Pool& pool) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, pool.collectable()->Collect());
    return out.str();
  }
  template <typename Cond>
  static bool eventually(Cond cond, std::chrono::milliseconds limit = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  pgtest::PgServer server_;
  pooltest::LogCapture log;
  PoolOptions options;
};

TEST_F(PoolPg, ServesQueriesAndReportsMetrics) {
  options.pool_size = 3;
  options.max_overflow = 2;
  Pool pool(options);
  std::vector<pgconn::pool::PooledConnection> held;
  for (int i = 0; i < 4; ++i) held.push_back(pool.acquire());
  EXPECT_EQ(server_side_connections(), 4);
  pqxx::nontransaction tx(*held[0]);
  EXPECT_EQ(tx.exec("SELECT 41 + 1")[0][0].as<int>(), 42);
  tx.commit();
  held.resize(2);  // two returned: both idle (pool_size 3)

  const std::string text = metrics(pool);
  EXPECT_NE(text.find("pgconn_pool_connections{pool=\"it\",state=\"idle\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("pgconn_pool_connections{pool=\"it\",state=\"in_use\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("pgconn_pool_overflow_connections{pool=\"it\"} 1"), std::string::npos);
  EXPECT_NE(text.find("pgconn_pool_utilization_ratio{pool=\"it\"} 0.4"), std::string::npos);
  EXPECT_NE(text.find("pgconn_pool_connections_opened_total{pool=\"it\"} 4"), std::string::npos);
  EXPECT_NE(text.find("pgconn_pool_connect_duration_seconds_count{pool=\"it\"} 4"),
            std::string::npos);
  EXPECT_NE(text.find("pgconn_pool_use_duration_seconds_count{pool=\"it\"} 2"),
            std::string::npos);
}

TEST_F(PoolPg, OverflowConnectionsAreClosedOnReturn) {
  options.pool_size = 1;
  options.max_overflow = 2;
  Pool pool(options);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    EXPECT_EQ(server_side_connections(), 3);
  }
  EXPECT_TRUE(eventually([&] { return server_side_connections() == 1; }));
  EXPECT_EQ(pool.snapshot().closed(CloseReason::overflow), 2u);
  EXPECT_EQ(pool.snapshot().idle, 1u);
}

TEST_F(PoolPg, AcquireTimeoutCarriesCounts) {
  options.pool_size = 1;
  options.max_overflow = 0;
  options.timeout = 200ms;
  Pool pool(options);
  auto held = pool.acquire();
  const auto start = std::chrono::steady_clock::now();
  try {
    pool.acquire("second");
    FAIL() << "expected a timeout";
  } catch (const PoolTimeout& e) {
    EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
    EXPECT_EQ(e.size(), 1u);
    EXPECT_EQ(e.in_use(), 1u);
    EXPECT_EQ(e.idle(), 0u);
    EXPECT_EQ(e.waiting(), 0u);
  }
  auto s = pool.snapshot();
  EXPECT_EQ(s.acquires_timeout, 1u);
  EXPECT_EQ(s.acquire_duration.count, 2u);
}

TEST_F(PoolPg, OpenTransactionIsRolledBackOnReturn) {
  server_.psql("CREATE TABLE t (x int)");
  Pool pool(options);
  int pid = 0;
  {
    auto c = pool.acquire("writer");
    pid = backend_pid(c);
    pqxx::nontransaction tx(*c);
    tx.exec("BEGIN");
    tx.exec("INSERT INTO t VALUES (1)");
  }  // returned without COMMIT
  EXPECT_EQ(log.count("rolled back"), 1);
  {
    auto c = pool.acquire();
    EXPECT_EQ(backend_pid(c), pid);  // the same connection, reused
    pqxx::nontransaction tx(*c);
    tx.exec("BEGIN");
    EXPECT_THROW(tx.exec("SELECT 1/0"), pqxx::sql_error);  // now in a failed transaction
  }
  EXPECT_EQ(log.count("rolled back"), 2);
  EXPECT_EQ(server_.psql("SELECT count(*) FROM t"), "0");
  EXPECT_EQ(server_.psql("SELECT state FROM pg_stat_activity WHERE application_name = 'pooltest'"),
            "idle");
  auto c = pool.acquire();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM t")[0][0].as<int>(), 0);
}

TEST_F(PoolPg, PrePingReplacesConnectionsAfterServerRestart) {
  options.pre_ping = true;
  options.pre_ping_idle_threshold = 0ms;
  Pool pool(options);
  int old_pid = 0;
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    old_pid = backend_pid(c);
  }
  server_.restart("fast");
  auto conn = pool.acquire();
  EXPECT_NE(backend_pid(conn), old_pid);
  auto s = pool.snapshot();
  EXPECT_EQ(s.pre_pings_failed, 1u);
  EXPECT_EQ(s.closed(CloseReason::pre_ping_failed), 1u);
  EXPECT_EQ(s.closed(CloseReason::invalidated), 2u);  // the other two, without pinging
  EXPECT_EQ(s.connections_opened, 4u);
  EXPECT_EQ(s.acquires_error, 0u);
  EXPECT_EQ(log.count("disconnect detected"), 1);
}

TEST_F(PoolPg, TerminatedBackendIsNotSilentlyReconnected) {
  Pool pool(options);
  auto a = pool.acquire();
  auto b = pool.acquire();
  b.release();
  server_.psql("SELECT pg_terminate_backend(" + std::to_string(backend_pid(a)) + ")");
  EXPECT_THROW(
      {
        pqxx::nontransaction tx(*a);
        tx.exec("SELECT 1");
      },
      pqxx::broken_connection);
  EXPECT_FALSE(a->is_open());  // libpqxx's reactivation is off
  a.invalidate();
  auto s = pool.snapshot();
  EXPECT_EQ(s.closed(CloseReason::broken), 1u);
  EXPECT_EQ(s.closed(CloseReason::invalidated), 1u);  // b, opened before
  EXPECT_EQ(s.idle, 0u);
  auto c = pool.acquire();
  EXPECT_GT(backend_pid(c), 0);
}

TEST_F(PoolPg, BrokenConnectionIsDetectedOnReturn) {
  Pool pool(options);
  {
    auto a = pool.acquire();
    server_.psql("SELECT pg_terminate_backend(" + std::to_string(backend_pid(a)) + ")");
    try {
      pqxx::nontransaction tx(*a);
      tx.exec("SELECT 1");
    } catch (const pqxx::broken_connection&) {
      // The caller forgot invalidate(); the pool notices on return.
    }
  }
  EXPECT_EQ(pool.snapshot().closed(CloseReason::broken), 1u);
  EXPECT_EQ(pool.snapshot().idle, 0u);
}

TEST_F(PoolPg, PrePingHasItsOwnTimeoutOnAFrozenServer) {
  options.pre_ping = true;
  options.pre_ping_idle_threshold = 0ms;
  options.pre_ping_timeout = 300ms;
  options.timeout = 10s;
  Pool pool(options);
  pool.acquire().release();
  server_.freeze();
  const auto start = std::chrono::steady_clock::now();
  // The ping gives up after 300 ms; reconnecting then fails on connect_timeout.
  EXPECT_THROW(pool.acquire(), pqxx::broken_connection);
  const auto took = std::chrono::steady_clock::now() - start;
  server_.thaw();
  EXPECT_LT(took, 5s);
  auto s = pool.snapshot();
  EXPECT_EQ(s.pre_pings_failed, 1u);
  EXPECT_EQ(s.acquires_error, 1u);
  EXPECT_EQ(s.total(), 0u);
  auto conn = pool.acquire();  // the server is back
  EXPECT_GT(backend_pid(conn), 0);
}

TEST_F(PoolPg, RecycledConnectionsAreReplaced) {
  options.recycle = 300ms;
  options.recycle_jitter = 0.0;
  options.reaper_interval = 20ms;
  Pool pool(options);
  int first_pid = 0;
  {
    auto c = pool.acquire();
    first_pid = backend_pid(c);
  }
  EXPECT_TRUE(eventually([&] { return server_side_connections() == 0; }));
  EXPECT_EQ(pool.snapshot().closed(CloseReason::recycle), 1u);
  auto c = pool.acquire();
  EXPECT_NE(backend_pid(c), first_pid);
}

TEST_F(PoolPg, LeakIsLoggedOnceWithTagAndExposed) {
  options.leak_threshold = 100ms;
  options.reaper_interval = 20ms;
  Pool pool(options);
  auto held = pool.acquire("nightly-report");
  EXPECT_TRUE(eventually([&] { return log.count("nightly-report") == 1; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(log.count("nightly-report"), 1);
  const std::string text = metrics(pool);
  EXPECT_NE(text.find("pgconn_pool_suspected_leaks{pool=\"it\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("pgconn_pool_leaks_detected_total{pool=\"it\"} 1"), std::string::npos);
  held.release();
  EXPECT_EQ(pool.snapshot().suspected_leaks, 0u);
}

}  // namespace
