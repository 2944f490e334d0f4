// PgBouncer targets against a real PgBouncer in front of a real PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "exporter_process.h"
#include "pg_client.h"
#include "pg_server.h"
#include "pgbouncer.h"

using namespace pgtest;

namespace {

std::string config_for(const PgServer& server, const PgBouncer& bouncer, const std::string& console_user = "postgres") {
  return "[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n"
         "[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n"
         "[[targets]]\nname = \"bouncer\"\nkind = \"pgbouncer\"\nserver_target = \"main\"\ndsn = \"" +
         bouncer.console_url(console_user) + "\"\n";
}

}  // namespace

TEST(PgBouncerTarget, ExhaustedSessionPoolShowsWaitingClientsAndMaxWait) {
  PgServer server;
  PgBouncer bouncer(server, PgBouncerOptions{"session", 2, 0, 20});
  ExporterProcess exporter(config_for(server, bouncer));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "bouncer"}}, is_one, 5000)) << exporter.logs();

  // Session mode: each client keeps its server connection; the third waits.
  PgClient first(bouncer.conninfo(), "app");
  PgClient second(bouncer.conninfo(), "app");
  first.exec("SELECT 1");
  second.exec("SELECT 1");
  PgClient third(bouncer.conninfo(), "app");
  third.send("SELECT 1");

  const std::map<std::string, std::string> pool{{"target", "bouncer"}, {"database", "appdb"}, {"user", "postgres"}};
  auto waiting = pool;
  waiting["state"] = "waiting";
  ASSERT_TRUE(exporter.wait_for("pgconn_pgbouncer_clients", waiting, is_one, 5000)) << exporter.logs();
  ASSERT_TRUE(exporter.wait_for("pgconn_pgbouncer_max_wait_seconds", pool, [](double v) { return v >= 1.0; }, 5000));

  auto body = exporter.get("/metrics").body;
  auto active_servers = pool;
  active_servers["state"] = "active";
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_servers", active_servers), 2);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_pool_client_limit", pool), 2);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_pool_client_utilization_ratio", pool), 1.5);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_pool_mode",
                        {{"target", "bouncer"}, {"database", "appdb"}, {"pool_mode", "session"}}),
            1);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_max_client_connections", {{"target", "bouncer"}}), 20);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_server_connections", {{"target", "bouncer"}}), 2);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_server_connections_max", {{"target", "bouncer"}}), 2);
  EXPECT_EQ(find_sample(body, "pgconn_pooler_link_info", {{"target", "bouncer"}, {"server_target", "main"}}), 1);
  // The PostgreSQL side sees PgBouncer's two server connections.
  EXPECT_GE(find_sample(body, "pgconn_connections_used", {{"target", "main"}}).value_or(0), 3);

  auto health = exporter.get("/health").body;
  EXPECT_NE(health.find("\"code\":\"pooler_clients_waiting\""), std::string::npos) << health;
  std::string lint = run_command("curl -s http://127.0.0.1:" + std::to_string(exporter.port()) +
                                 "/metrics | promtool check metrics");
  EXPECT_EQ(lint, "");
}

TEST(PgBouncerTarget, RecoversWhenPgBouncerRestarts) {
  PgServer server;
  PgBouncer bouncer(server);
  ExporterProcess exporter(config_for(server, bouncer));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "bouncer"}}, is_one, 5000)) << exporter.logs();
  bouncer.stop();
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "bouncer"}}, is_zero, 5000)) << exporter.logs();
  EXPECT_EQ(exporter.get("/health/db").status, 503);
  EXPECT_EQ(exporter.metric("pgconn_up", {{"target", "main"}}), 1);  // the server behind it is fine
  bouncer.start();
  EXPECT_TRUE(exporter.wait_for("pgconn_up", {{"target", "bouncer"}}, is_one, 5000)) << exporter.logs();
  EXPECT_EQ(exporter.get("/health/db").status, 200);
}

TEST(PgBouncerTarget, ConsoleUserWithoutRightsGetsAClearError) {
  PgServer server;
  PgBouncer bouncer(server);
  ExporterProcess exporter(config_for(server, bouncer, "nobody"));
  ASSERT_TRUE(exporter.wait_for("pgconn_poll_errors_total", {{"target", "bouncer"}, {"reason", "other"}}, positive, 5000))
      << exporter.logs();
  EXPECT_EQ(exporter.metric("pgconn_up", {{"target", "bouncer"}}), 0);
  auto db = exporter.get("/health/db").body;
  EXPECT_NE(db.find("not allowed (the console user must be in admin_users or stats_users)"), std::string::npos) << db;
  EXPECT_NE(exporter.logs().find("admin_users or stats_users"), std::string::npos);
}

TEST(PgBouncerTarget, StatsUserCanReadTheConsole) {
  PgServer server;
  PgBouncer bouncer(server);
  ExporterProcess exporter(config_for(server, bouncer, "stats"));
  EXPECT_TRUE(exporter.wait_for("pgconn_up", {{"target", "bouncer"}}, is_one, 5000)) << exporter.logs();
  EXPECT_TRUE(exporter.metric("pgconn_pgbouncer_client_connections", {{"target", "bouncer"}}).has_value());
}
