// Who holds the slots, by client address: clients reach a real PostgreSQL
// and a real PgBouncer from distinct loopback addresses through
// LoopbackRelay, and /metrics, diagnose and reset must tell them apart.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <vector>

#include "exporter_process.h"
#include "loopback_relay.h"
#include "pg_client.h"
#include "pg_server.h"
#include "pgbouncer.h"

using namespace pgtest;

namespace {

std::string postgres_config(const PgServer& server, const std::string& metrics = "",
                            const std::string& thresholds = "") {
  return "[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n[metrics]\n" + metrics + "\n[thresholds]\n" + thresholds +
         "\n[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n";
}

std::map<std::string, std::string> address(const std::string& addr, const std::string& state) {
  return {{"target", "main"}, {"client_addr", addr}, {"state", state}};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(ClientAddresses, EachAddressByStateSumsToUsed) {
  PgServer server;
  LoopbackRelay two(server.port(), "127.0.0.2"), three(server.port(), "127.0.0.3");
  PgClient idle_a(two.conninfo(), "web"), idle_b(two.conninfo(), "web");
  PgClient in_tx(two.conninfo(), "web");
  in_tx.exec("BEGIN");
  PgClient aborted(three.conninfo(), "web");
  aborted.exec("BEGIN");
  EXPECT_THROW(aborted.exec("SELECT 1/0"), std::runtime_error);
  PgClient busy(three.conninfo(), "web");
  busy.send("SELECT pg_sleep(60)");
  PgClient socket("host=" + server.socket_dir() + " port=" + std::to_string(server.port()) +
                  " user=postgres dbname=postgres", "cron");
  ExporterProcess exporter(postgres_config(server));
  ASSERT_TRUE(exporter.wait_for("pgconn_client_address_connections", address("127.0.0.3", "active"), is_one, 10000))
      << exporter.logs();
  auto body = exporter.get("/metrics").body;
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.2", "idle")), 2);
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.2", "idle_in_transaction")), 1);
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.2", "active")), 0);
  // An aborted transaction counts as idle in transaction.
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.3", "idle_in_transaction")), 1);
  EXPECT_FALSE(find_sample(body, "pgconn_client_address_connections",
                           address("127.0.0.3", "idle_in_transaction_aborted")));
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("local", "idle")), 1);
  // The exporter's own session connects from 127.0.0.1 and is counted there.
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.1", "active")), 1);

  double sum = 0;
  for (const char* addr : {"127.0.0.1", "127.0.0.2", "127.0.0.3", "local"}) {
    for (const char* state : {"active", "idle", "idle_in_transaction"}) {
      sum += find_sample(body, "pgconn_client_address_connections", address(addr, state)).value_or(-100);
    }
  }
  EXPECT_EQ(sum, find_sample(body, "pgconn_connections_used", {{"target", "main"}}).value_or(-1));
  EXPECT_EQ(sum, 7);
}

TEST(ClientAddresses, LeakSuspectsByAddressAndDiagnoseNamesTheReplica) {
  PgServer server;
  LoopbackRelay leaking(server.port(), "127.0.0.2"), healthy(server.port(), "127.0.0.3");
  PgClient leak(leaking.conninfo(), "worker");
  leak.exec("BEGIN");
  PgClient fine(healthy.conninfo(), "worker");  // the same application on another replica
  fine.exec("BEGIN");
  fine.exec("COMMIT");
  ExporterProcess exporter(postgres_config(server, "", "idle_in_transaction_seconds = 1\nconnection_age_seconds = 1"));
  const std::map<std::string, std::string> suspect{
      {"target", "main"}, {"client_addr", "127.0.0.2"}, {"reason", "idle_in_transaction"}};
  ASSERT_TRUE(exporter.wait_for("pgconn_client_address_leak_suspect_connections", suspect, is_one, 10000))
      << exporter.logs();
  auto body = exporter.get("/metrics").body;
  EXPECT_EQ(find_sample(body, "pgconn_client_address_leak_suspect_connections",
                        {{"target", "main"}, {"client_addr", "127.0.0.3"}, {"reason", "idle_in_transaction"}}),
            0);
  // The exporter's own session (127.0.0.1) is old too, but never a suspect.
  ASSERT_TRUE(exporter.wait_for("pgconn_client_address_leak_suspect_connections",
                                {{"target", "main"}, {"client_addr", "127.0.0.3"}, {"reason", "age"}}, is_one, 10000));
  body = exporter.get("/metrics").body;
  EXPECT_EQ(find_sample(body, "pgconn_client_address_leak_suspect_connections",
                        {{"target", "main"}, {"client_addr", "127.0.0.1"}, {"reason", "age"}}),
            0);

  auto health = exporter.get("/health").body;
  EXPECT_TRUE(contains(health, "from 127.0.0.2 (1)")) << health;
  std::ofstream(exporter.config_path() + ".diag") << postgres_config(server, "", "idle_in_transaction_seconds = 1");
  auto diag = run_status(exporter_binary() + " diagnose --config.file=" + exporter.config_path() + ".diag");
  EXPECT_TRUE(contains(diag.output, "worker: 1 connection(s) idle in transaction over 1s")) << diag.output;
  EXPECT_TRUE(contains(diag.output, "from 127.0.0.2 (1)")) << diag.output;
  EXPECT_TRUE(contains(diag.output, "--application 'worker' --client-addr '127.0.0.2' --execute")) << diag.output;
}

TEST(ClientAddresses, ResetByAddressOrCidrTerminatesOnlyThatReplica) {
  PgServer server;
  server.psql("CREATE ROLE app LOGIN IN ROLE pgconn_trusted");  // reset spares superusers
  LoopbackRelay two(server.port(), "127.0.0.2"), three(server.port(), "127.0.0.3"), four(server.port(), "127.0.0.4");
  PgClient a(two.conninfo("app"), "web"), b(three.conninfo("app"), "web"), c(four.conninfo("app"), "web");
  const std::string config = exporter_binary() + " reset --target main --config.file=";
  ExporterProcess exporter(postgres_config(server));  // spared: a monitoring session from 127.0.0.1
  auto dry = run_status(config + exporter.config_path() + " --client-addr 127.0.0.2");
  EXPECT_EQ(dry.status, 0) << dry.output;
  EXPECT_TRUE(contains(dry.output, "127.0.0.2")) << dry.output;
  EXPECT_TRUE(contains(dry.output, "would terminate 1 client backend(s)")) << dry.output;

  auto done = run_status(config + exporter.config_path() + " --client-addr 127.0.0.2 --application web --execute");
  EXPECT_EQ(done.status, 0) << done.output;
  EXPECT_THROW(a.exec("SELECT 1"), std::runtime_error);
  EXPECT_EQ(b.exec("SELECT 1"), "1");
  // 127.0.0.2/31 is .2 and .3; .4 stays.
  done = run_status(config + exporter.config_path() + " --client-addr 127.0.0.2/31 --execute");
  EXPECT_TRUE(contains(done.output, "terminated 1 of 1 client backend(s)")) << done.output;
  EXPECT_THROW(b.exec("SELECT 1"), std::runtime_error);
  EXPECT_EQ(c.exec("SELECT 1"), "1");
  auto bad = run_status(config + exporter.config_path() + " --client-addr 'web-1.internal' --execute");
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "--client-addr needs an IP address")) << bad.output;
}

TEST(ClientAddresses, BeyondTheCapAddressesAreOtherAndTheScrapeIsClean) {
  PgServer server;
  std::vector<std::unique_ptr<LoopbackRelay>> relays;
  std::vector<std::unique_ptr<PgClient>> clients;
  for (int i = 2; i <= 5; ++i) {
    relays.push_back(std::make_unique<LoopbackRelay>(server.port(), "127.0.0." + std::to_string(i)));
    for (int n = 0; n < i - 1; ++n) clients.push_back(std::make_unique<PgClient>(relays.back()->conninfo(), "web"));
  }
  // .5 holds 4, .4 holds 3: kept; .3 (2), .2 (1) and the exporter's own (1) are other.
  ExporterProcess exporter(postgres_config(server, "max_client_addresses = 2"));
  ASSERT_TRUE(exporter.wait_for("pgconn_client_address_connections", address("other", "idle"),
                                [](double v) { return v == 3; }, 10000))
      << exporter.logs();
  ASSERT_TRUE(exporter.wait_for("pgconn_client_address_connections", address("other", "active"), is_one, 10000));
  auto body = exporter.get("/metrics").body;
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.5", "idle")), 4);
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("127.0.0.4", "idle")), 3);
  EXPECT_EQ(find_sample(body, "pgconn_client_address_connections", address("other", "idle")), 3);
  EXPECT_FALSE(find_sample(body, "pgconn_client_address_connections", address("127.0.0.3", "idle")));
  std::string path = exporter.config_path() + ".scrape";
  std::ofstream(path) << body;
  CommandResult lint = run_status("promtool check metrics < " + path);
  EXPECT_EQ(lint.status, 0) << lint.output;
}

namespace {

std::string bouncer_config(const PgServer& server, const PgBouncer& bouncer, const std::string& thresholds = "") {
  return "[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n[thresholds]\n" + thresholds +
         "\n[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n"
         "[[targets]]\nname = \"bouncer\"\nkind = \"pgbouncer\"\nserver_target = \"main\"\ndsn = \"" +
         bouncer.console_url() + "\"\n";
}

std::map<std::string, std::string> app_clients(const std::string& app, const std::string& state) {
  return {{"target", "bouncer"}, {"application_name", app}, {"state", state}};
}

std::map<std::string, std::string> addr_clients(const std::string& addr, const std::string& state) {
  return {{"target", "bouncer"}, {"client_addr", addr}, {"state", state}};
}

}  // namespace

TEST(PgBouncerClients, TransactionModeLinkedIdleAndWaitingExactly) {
  PgServer server;
  PgBouncer bouncer(server, PgBouncerOptions{"transaction", 1, 0, 20});
  LoopbackRelay two(bouncer.port(), "127.0.0.2"), three(bouncer.port(), "127.0.0.3"), four(bouncer.port(), "127.0.0.4");
  // Pool size 1: the first transaction holds the only server connection,
  // the second client's transaction waits for it, the third is idle.
  PgClient holder(two.conninfo("postgres", "appdb"), "appA");
  holder.exec("BEGIN");
  holder.exec("SELECT 1");
  PgClient queued(three.conninfo("postgres", "appdb"), "appB");
  queued.send("SELECT 1");
  PgClient idle(four.conninfo("postgres", "appdb"), "appA");
  ExporterProcess exporter(bouncer_config(server, bouncer));
  ASSERT_TRUE(exporter.wait_for("pgconn_pgbouncer_application_clients", app_clients("appB", "waiting"), is_one, 10000))
      << exporter.logs();
  auto body = exporter.get("/metrics").body;
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_application_clients", app_clients("appA", "linked")), 1);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_application_clients", app_clients("appA", "idle")), 1);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_application_clients", app_clients("appA", "waiting")), 0);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_application_clients", app_clients("appB", "linked")), 0);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_client_address_clients", addr_clients("127.0.0.2", "linked")), 1);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_client_address_clients", addr_clients("127.0.0.3", "waiting")), 1);
  EXPECT_EQ(find_sample(body, "pgconn_pgbouncer_client_address_clients", addr_clients("127.0.0.4", "idle")), 1);
  // The exporter's console session is not a client of any application.
  EXPECT_FALSE(find_sample(body, "pgconn_pgbouncer_application_clients", app_clients("pgconn_exporter", "idle")));
  EXPECT_FALSE(find_sample(body, "pgconn_pgbouncer_client_address_clients", addr_clients("127.0.0.1", "idle")));
  std::string path = exporter.config_path() + ".scrape";
  std::ofstream(path) << body;
  CommandResult lint = run_status("promtool check metrics < " + path);
  EXPECT_EQ(lint.status, 0) << lint.output;
}

TEST(PgBouncerClients, SessionModeHoldersAndOldClientsAsSuspects) {
  PgServer server;
  PgBouncer bouncer(server, PgBouncerOptions{"session", 1, 0, 20});
  LoopbackRelay two(bouncer.port(), "127.0.0.2"), three(bouncer.port(), "127.0.0.3");
  // Session mode: a client keeps its server connection between queries.
  PgClient holder(two.conninfo("postgres", "appdb"), "web");
  holder.exec("SELECT 1");
  PgClient queued(three.conninfo("postgres", "appdb"), "web");
  queued.send("SELECT 1");
  ExporterProcess exporter(bouncer_config(server, bouncer, "connection_age_seconds = 2"));
  ASSERT_TRUE(exporter.wait_for("pgconn_pgbouncer_application_clients", app_clients("web", "waiting"), is_one, 10000))
      << exporter.logs();
  EXPECT_EQ(exporter.metric("pgconn_pgbouncer_application_clients", app_clients("web", "linked")), 1);
  // Both clients pass 2 s (connect_time has one-second resolution); the
  // exporter's own console session never counts.
  ASSERT_TRUE(exporter.wait_for("pgconn_pgbouncer_leak_suspect_clients",
                                {{"target", "bouncer"}, {"application_name", "web"}, {"reason", "age"}},
                                [](double v) { return v == 2; }, 15000))
      << exporter.get("/metrics").body;
  EXPECT_GE(exporter.metric("pgconn_pgbouncer_application_oldest_client_age_seconds",
                            {{"target", "bouncer"}, {"application_name", "web"}})
                .value_or(0),
            2);
  auto health = exporter.get("/health").body;
  EXPECT_TRUE(contains(health, "pooler_leak_old_clients")) << health;
  EXPECT_TRUE(contains(health, "from 127.0.0.2 (1), 127.0.0.3 (1)")) << health;
}
