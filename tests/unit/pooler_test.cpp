#include <gtest/gtest.h>

#include "render/families.h"
#include "sample_snapshot.h"
#include "render/metrics.h"
#include "model/assessment.h"
#include "model/usage.h"

using namespace pgconn;
using namespace pgconn::model;

namespace {

PoolerStats session_pooler() {
  PoolerStats s;
  s.pool_mode = "session";
  s.max_client_conn = 10;
  s.default_pool_size = 20;
  s.used_clients = 4;
  s.databases.push_back({"appdb", "", 2, 1, 0, 2, 5, 7, 1.5});
  PgBouncerPool p;
  p.database = "appdb";
  p.user = "app";
  p.clients_active = 2;
  p.clients_waiting = 1;
  p.servers_active = 2;
  p.max_wait_seconds = 1.25;
  s.pools.push_back(p);
  PgBouncerPool console;
  console.database = "pgbouncer";
  console.user = "pgbouncer";
  console.pool_mode = "statement";
  console.clients_active = 1;
  s.pools.push_back(console);
  return s;
}

}  // namespace

TEST(Pooler, SessionModeAdmitsPoolSizeClients) {
  PoolerStats s = session_pooler();
  PoolBudget b = pgbouncer_pool_budget(s, s.pools[0]);
  EXPECT_EQ(b.pool_mode, "session");
  EXPECT_EQ(b.client_limit, 2);
  EXPECT_DOUBLE_EQ(b.client_utilization, 1.5);
  s.pool_mode = "transaction";
  EXPECT_EQ(pgbouncer_pool_budget(s, s.pools[0]).client_limit, 10);
  // A pool's own mode wins over the global one.
  EXPECT_EQ(pgbouncer_pool_budget(s, s.pools[1]).pool_mode, "statement");
}

TEST(Pooler, UsageSumsServerConnectionsWithoutTheConsole) {
  PoolerUsage u = pgbouncer_usage(session_pooler(), std::nullopt);
  EXPECT_EQ(u.clients, 4);
  EXPECT_EQ(u.client_limit, 10);
  EXPECT_EQ(u.clients_waiting, 1);
  EXPECT_EQ(u.server_connections, 2);
  EXPECT_EQ(u.server_connections_max, 3);  // pool_size 2 + reserve 1
  EXPECT_DOUBLE_EQ(u.max_wait_seconds, 1.25);
  EXPECT_EQ(pgbouncer_usage(session_pooler(), 8).client_limit, 8);
}

TEST(Pooler, MaxDbConnectionsCapsThePotentialServerConnections) {
  PoolerStats s = session_pooler();
  PgBouncerPool second_user = s.pools[0];
  second_user.user = "reporting";
  s.pools.push_back(second_user);
  EXPECT_EQ(pgbouncer_usage(s, std::nullopt).server_connections_max, 6);  // two pools of 2 + 1
  s.max_db_connections = 4;
  EXPECT_EQ(pgbouncer_usage(s, std::nullopt).server_connections_max, 4);
  s.databases[0].max_connections = 3;  // the database's own cap wins over the global one
  EXPECT_EQ(pgbouncer_usage(s, std::nullopt).server_connections_max, 3);
}

TEST(Pooler, DeclaredHostedPoolerSetsTheBudget) {
  config::Target t;
  t.pooler = config::DeclaredPooler{"session", 15, 200};
  EXPECT_EQ(configured_budget(t), 15);
  t.pooler->pool_mode = "transaction";
  EXPECT_EQ(configured_budget(t), 200);
  t.connection_limit = 50;
  EXPECT_EQ(configured_budget(t), 50);
}

TEST(Pooler, FindingsAndMetrics) {
  config::Target t;
  t.name = "bouncer";
  t.kind = config::TargetKind::pgbouncer;
  t.server_target = "main";
  Snapshot snap;
  snap.target = "bouncer";
  snap.up = true;
  snap.pooler = std::make_shared<const PoolerStats>(session_pooler());
  auto findings = assess(snap, t, {50, 50}).findings;
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].code, "pooler_clients_waiting");
  EXPECT_NE(findings[0].evidence.find("appdb/app (session mode): 1 client(s) waiting"), std::string::npos)
      << findings[0].evidence;

  std::string text = render::serialize(
      render::target_metrics({sample::published(snap, t)}, 0));
  EXPECT_NE(text.find("pgconn_pgbouncer_clients{target=\"bouncer\",database=\"appdb\",user=\"app\",state=\"waiting\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pgconn_pgbouncer_max_wait_seconds{target=\"bouncer\",database=\"appdb\",user=\"app\"} 1.25"),
            std::string::npos);
  EXPECT_NE(text.find("pgconn_pooler_link_info{target=\"bouncer\",server_target=\"main\"} 1"), std::string::npos);
  EXPECT_NE(text.find("pgconn_pgbouncer_client_utilization_ratio{target=\"bouncer\"} 0.4"), std::string::npos);
}
