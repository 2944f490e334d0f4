// The exporter against a real, throwaway PostgreSQL 15: scraped values equal
// the truth from pg_stat_activity, scrapes never query, one backend per target.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "exporter_process.h"
#include "pg_client.h"
#include "pg_server.h"

using namespace pgtest;

namespace {

std::string config_for(const PgServer& server, const std::string& extra = "", const std::string& interval = "500ms",
                       const std::string& timeout = "400ms") {
  return "[poll]\ninterval = \"" + interval + "\"\ntimeout = \"" + timeout + "\"\n"
         "[thresholds]\nidle_in_transaction_seconds = 1\nconnection_age_seconds = 3600\n"
         "[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n" + extra;
}

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Waits until the exporter has published a poll that started after `since`.
void wait_for_fresh_poll(const ExporterProcess& exporter, double since) {
  for (int i = 0; i < 100; ++i) {
    auto last = exporter.metric("pgconn_last_poll_success_timestamp_seconds", {{"target", "main"}});
    auto duration = exporter.metric("pgconn_poll_duration_seconds", {{"target", "main"}});
    if (last && duration && *last - *duration > since) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL() << "no fresh poll within 10 s:\n" << exporter.logs();
}

// Waits, at most `timeout_ms`, until the pool of `target` (named after it) has
// served `n` checkouts: one per poll.
bool wait_for_acquires(const ExporterProcess& exporter, const std::string& target, double n, int timeout_ms) {
  return exporter.wait_for("pgconn_pool_acquires_total", {{"pool", target}, {"result", "ok"}},
                           [n](double polls) { return polls >= n; }, timeout_ms);
}

class ExporterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new PgServer(PgServerOptions{20, 3, {}, true}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static PgServer* server_;
};
PgServer* ExporterTest::server_ = nullptr;

}  // namespace

TEST_F(ExporterTest, ScrapedValuesEqualPgStatActivity) {
  std::vector<std::unique_ptr<PgClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<PgClient>(server_->conninfo(), "web"));
  for (int i = 0; i < 2; ++i) {
    clients.push_back(std::make_unique<PgClient>(server_->conninfo(), "worker"));
    clients.back()->exec("BEGIN; SELECT 1");
  }
  clients.push_back(std::make_unique<PgClient>(server_->conninfo()));
  ExporterProcess exporter(config_for(*server_));
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // past idle_in_transaction_seconds

  // The truth, without psql's own backend and the exporter's.
  std::string truth = server_->psql(
      "SELECT coalesce(nullif(application_name, ''), 'unnamed') || ':' || state || ':' || count(*) "
      "FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name NOT IN "
      "('psql', 'pgconn_exporter') GROUP BY application_name, state ORDER BY 1");
  std::string total = server_->psql(
      "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name <> 'psql'");
  EXPECT_EQ(truth, "unnamed:idle:1\nweb:idle:3\nworker:idle in transaction:2");
  // A poll that starts right after the psql calls may still count psql's
  // exiting backend; one starting 300 ms later sees only the settled clients.
  double after_truth = now_unix();
  wait_for_fresh_poll(exporter, after_truth + 0.3);

  auto body = exporter.get("/metrics").body;
  auto value = [&](const std::string& name, std::map<std::string, std::string> labels) {
    labels["target"] = "main";
    return find_sample(body, name, labels).value_or(-1);
  };
  EXPECT_EQ(value("pgconn_connections_used", {}), std::stod(total));
  EXPECT_EQ(value("pgconn_connections_used", {}), 7);  // 6 clients + the exporter
  EXPECT_EQ(value("pgconn_application_connections", {{"application_name", "web"}, {"state", "idle"}}), 3);
  EXPECT_EQ(value("pgconn_application_connections", {{"application_name", "worker"}, {"state", "idle_in_transaction"}}),
            2);
  EXPECT_EQ(value("pgconn_application_connections", {{"application_name", "unnamed"}, {"state", "idle"}}), 1);
  EXPECT_EQ(value("pgconn_connections", {{"state", "idle_in_transaction"}}), 2);
  EXPECT_EQ(value("pgconn_connections", {{"state", "idle"}}), 4);
  EXPECT_EQ(value("pgconn_server_max_connections", {}), 20);
  EXPECT_EQ(value("pgconn_connection_limit", {}), 17);
  EXPECT_EQ(value("pgconn_connections_available", {}), 10);
  EXPECT_EQ(value("pgconn_leak_suspect_connections", {{"application_name", "worker"}, {"reason", "idle_in_transaction"}}),
            2);
  EXPECT_GT(value("pgconn_oldest_idle_in_transaction_age_seconds", {}), 1.0);
  EXPECT_GT(value("pgconn_application_oldest_transaction_age_seconds", {{"application_name", "worker"}}), 1.0);
  EXPECT_EQ(value("pgconn_database_connections", {{"datname", "postgres"}}), 7);
  EXPECT_EQ(value("pgconn_user_connections", {{"usename", "postgres"}}), 7);
  EXPECT_EQ(value("pgconn_backends", {{"backend_type", "client backend"}}), 7);
  EXPECT_EQ(value("pgconn_monitoring_role_sees_all_sessions", {}), 1);
  EXPECT_GE(value("pgconn_database_sessions_total", {{"datname", "postgres"}}), 7);
}

TEST_F(ExporterTest, PromtoolCheckMetricsIsClean) {
  PgClient client(server_->conninfo(), "web");
  ExporterProcess exporter(config_for(*server_, "[[targets.applications]]\nname = \"web\"\npool_size = 1\n"));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  std::string path = "/tmp/pgconn-scrape-" + std::to_string(getpid()) + ".txt";
  {
    std::ofstream out(path);
    out << exporter.get("/metrics").body;
  }
  std::string lint;
  EXPECT_NO_THROW(lint = run_command("promtool check metrics < " + path));
  EXPECT_EQ(lint, "");
  std::remove(path.c_str());
}

TEST_F(ExporterTest, ConcurrentScrapesRunNoQueries) {
  ExporterProcess exporter(config_for(*server_, "", "60s"));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  const std::string probe =
      "SELECT pid || ' ' || query_start FROM pg_stat_activity WHERE application_name = 'pgconn_exporter'";
  std::string before = server_->psql(probe);
  ASSERT_FALSE(before.empty());

  std::atomic<int> ok{0};
  std::vector<std::thread> scrapers;
  for (int t = 0; t < 8; ++t) {
    scrapers.emplace_back([&] {
      for (int i = 0; i < 25; ++i) ok += exporter.get("/metrics").status == 200 ? 1 : 0;
    });
  }
  for (auto& t : scrapers) t.join();
  EXPECT_EQ(ok.load(), 200);
  // Same single backend, and its last statement is still the first poll's.
  EXPECT_EQ(server_->psql(probe), before);
}

TEST_F(ExporterTest, HoldsExactlyOnePersistentBackendPerTarget) {
  // A poll timeout far above a poll's run time, even under sanitizers: a poll
  // that overran it would reconnect, for reasons other than the one tested.
  std::string config = config_for(*server_, "", "1s", "800ms") + "[[targets]]\nname = \"second\"\ndsn = \"" +
                       server_->url() + "\"\n";
  ExporterProcess exporter(config);
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "second"}}, is_one, 5000)) << exporter.logs();
  const std::string pids =
      "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE application_name = 'pgconn_exporter'";
  std::string first = server_->psql(pids);
  EXPECT_EQ(std::count(first.begin(), first.end(), ','), 1) << first;  // two targets, two backends
  // Three more polls each (counted, not slept for).
  auto main_polls = exporter.metric("pgconn_pool_acquires_total", {{"pool", "main"}, {"result", "ok"}});
  auto second_polls = exporter.metric("pgconn_pool_acquires_total", {{"pool", "second"}, {"result", "ok"}});
  ASSERT_TRUE(main_polls && second_polls) << exporter.get("/metrics").body;
  EXPECT_TRUE(wait_for_acquires(exporter, "main", *main_polls + 3, 10000)) << exporter.logs();
  EXPECT_TRUE(wait_for_acquires(exporter, "second", *second_polls + 3, 10000)) << exporter.logs();
  EXPECT_EQ(server_->psql(pids), first);
}

TEST_F(ExporterTest, EndpointsAndMultiTargetProbe) {
  int unused_port = free_loopback_port();
  std::string config = config_for(*server_) + "[[targets]]\nname = \"down\"\ndsn = \"postgresql://postgres@127.0.0.1:" +
                       std::to_string(unused_port) + "/postgres\"\n";
  ExporterProcess exporter(config);
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  ASSERT_TRUE(exporter.wait_for("pgconn_poll_errors_total", {{"target", "down"}, {"reason", "refused"}}, positive, 5000));

  auto health_db = exporter.get("/health/db");
  EXPECT_EQ(health_db.status, 503);
  EXPECT_NE(health_db.body.find("\"target\":\"down\",\"up\":false,\"reason\":\"refused\""), std::string::npos)
      << health_db.body;
  EXPECT_EQ(exporter.get("/health").status, 200);

  auto probe = exporter.get("/probe?target=main");
  EXPECT_EQ(probe.status, 200);
  EXPECT_NE(probe.body.find("pgconn_up{target=\"main\"} 1"), std::string::npos);
  EXPECT_EQ(probe.body.find("target=\"down\""), std::string::npos);
  auto unknown = exporter.get("/probe?target=postgresql://evil@127.0.0.1/x");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("unknown target"), std::string::npos);
  EXPECT_EQ(exporter.get("/probe").status, 400);
  EXPECT_NE(exporter.get("/").body.find("/metrics"), std::string::npos);
}

// Every alert's runbook_url ends in /runbook#<alert lowercased>: the exporter
// serves that page, with a section of that id for each shipped alert.
TEST_F(ExporterTest, RunbookHasASectionPerShippedAlert) {
  ExporterProcess exporter(config_for(*server_));
  Reply page = exporter.call({"GET", "/runbook"});
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  std::ifstream rules_file(PGCONN_SOURCE_DIR "/alerts/pgconn.rules.yml");
  ASSERT_TRUE(rules_file) << PGCONN_SOURCE_DIR "/alerts/pgconn.rules.yml";
  std::stringstream read;
  read << rules_file.rdbuf();
  const std::string rules = read.str();
  std::regex alert_line("- alert: \"?(\\w+)\"?");
  int alerts = 0;
  for (std::sregex_iterator it(rules.begin(), rules.end(), alert_line), end; it != end; ++it) {
    std::string anchor = (*it)[1];
    for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(page.body.find("<h2 id=\"" + anchor + "\">"), std::string::npos) << anchor;
    ++alerts;
  }
  EXPECT_GE(alerts, 30);
  EXPECT_NE(exporter.get("/").body.find("href=\"runbook\""), std::string::npos);
}

TEST_F(ExporterTest, SigtermStopsPromptlyAndClosesItsConnection) {
  ExporterProcess exporter(config_for(*server_));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  auto started = std::chrono::steady_clock::now();
  exporter.signal(SIGTERM);
  EXPECT_EQ(exporter.wait_exit(5000), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  std::string left;
  for (int i = 0; i < 50; ++i) {
    left = server_->psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgconn_exporter'");
    if (left == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(left, "0");
}

TEST(ExporterCli, InvalidConfigExitsTwoNamingThePlaceAndNoSecret) {
  std::string dir = run_command("mktemp -d");
  dir.erase(dir.find_last_not_of(" \n") + 1);
  std::string path = dir + "/bad.toml";
  {
    std::ofstream out(path);
    out << "[[targets]]\nname = \"main\"\ndsn = \"postgresql://m:TopSecret99@127.0.0.1/postgres\"\n"
           "[poll]\ninterval = \"5 parsecs\"\n";
  }
  CommandResult r = run_status(exporter_binary() + " check-config " + path);
  std::string out = r.output;
  EXPECT_NE(out.find(path + ":5:12: poll.interval: invalid duration"), std::string::npos) << out;
  EXPECT_EQ(r.status, 2) << out;
  EXPECT_EQ(out.find("TopSecret99"), std::string::npos) << out;
  r = run_status(exporter_binary() + " --config.file=" + path + " --web.listen-address=127.0.0.1:1");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(path + ":5:12"), std::string::npos) << r.output;

  {
    std::ofstream out2(path, std::ios::trunc);
    out2 << "[[targets]]\nname = \"main\"\ndsn = \"postgresql://m:TopSecret99@127.0.0.1/postgres\"\n";
  }
  out = run_command(exporter_binary() + " check-config " + path);
  EXPECT_NE(out.find("main: user=m password=*** dbname=postgres host=127.0.0.1"), std::string::npos) << out;
  EXPECT_EQ(out.find("TopSecret99"), std::string::npos) << out;
  run_command("rm -rf " + dir);
}

TEST_F(ExporterTest, DeclaredApplicationPoolsMatchRealClients) {
  std::vector<std::unique_ptr<PgClient>> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(std::make_unique<PgClient>(server_->conninfo(), "fast_ensemble_engine"));
  ExporterProcess exporter(config_for(*server_,
                                      "[[targets.applications]]\nname = \"fast_ensemble_engine\"\npool_size = 2\n"
                                      "max_overflow = 3\nprocesses = 2\n"
                                      "[[targets.applications]]\nname = \"batch\"\npool_size = 4\nmax_overflow = 0\n"));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  auto body = exporter.get("/metrics").body;
  auto value = [&](const std::string& name, std::map<std::string, std::string> labels) {
    labels["target"] = "main";
    return find_sample(body, name, labels).value_or(-1);
  };
  const std::map<std::string, std::string> app{{"application_name", "fast_ensemble_engine"}};
  EXPECT_EQ(value("pgconn_application_connections", {{"application_name", "fast_ensemble_engine"}, {"state", "idle"}}), 5);
  EXPECT_EQ(value("pgconn_application_pool_capacity_connections", app), 10);  // 2 x (2 + 3)
  EXPECT_EQ(value("pgconn_application_pool_base_connections", app), 4);       // 2 x 2
  EXPECT_EQ(value("pgconn_application_pool_overflow_connections", app), 1);   // 5 held - 4
  EXPECT_EQ(value("pgconn_application_pool_utilization_ratio", app), 0.5);
  EXPECT_EQ(value("pgconn_application_pool_overflow_connections", {{"application_name", "batch"}}), 0);
  EXPECT_EQ(value("pgconn_declared_capacity_connections", {}), 14);
}

TEST_F(ExporterTest, ItsOwnPoolKeepsOneConnectionAcrossPolls) {
  // A poll timeout far above a poll's run time, even under sanitizers: a poll
  // that overran it would reconnect, for reasons other than the one tested.
  ExporterProcess exporter(config_for(*server_, "", "1s", "800ms"));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000)) << exporter.logs();
  ASSERT_TRUE(wait_for_acquires(exporter, "main", 4, 10000)) << exporter.logs();  // four polls, counted
  auto body = exporter.get("/metrics").body;
  const std::map<std::string, std::string> pool{{"pool", "main"}, {"target", "main"}};
  EXPECT_EQ(find_sample(body, "pgconn_pool_connections_opened_total", pool), 1);
  EXPECT_EQ(find_sample(body, "pgconn_pool_max_connections", pool), 1);
  EXPECT_GE(find_sample(body, "pgconn_pool_acquires_total", {{"pool", "main"}, {"result", "ok"}}).value_or(0), 4);
  EXPECT_EQ(find_sample(body, "pgconn_pool_overflow_connections", pool), 0);
}
