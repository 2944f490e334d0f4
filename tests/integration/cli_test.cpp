// The operator commands (diagnose, reset, monitor) as an operator runs them:
// the real binary against a real, throwaway PostgreSQL, target from
// DATABASE_URL or a config file. Each test gets its own server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "exporter_process.h"
#include "pg_client.h"
#include "pg_server.h"
#include "temp_dir.h"

using namespace pgtest;

namespace {

// Runs the exporter with `args`, DATABASE_URL set to `url`, stdin from /dev/null.
CommandResult run_cli(const std::string& url, const std::string& args) {
  return run_status("DATABASE_URL='" + url + "' " + exporter_binary() + " " + args);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Waits until the server has exactly `n` client backends, so a test starts
// from a known count (a psql that just exited may still be leaving).
void wait_for_clients(PgClient& client, int n) {
  std::string count;
  for (int i = 0; i < 100; ++i) {
    count = client.exec("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
    if (count == std::to_string(n)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "expected " << n << " client backends, saw " << count;
}

bool alive(PgClient& client) {
  try {
    client.exec("SELECT 1");
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

// Clients named app-0 .. app-<n-1>: distinct, so no one application dominates.
std::vector<std::unique_ptr<PgClient>> named_clients(const PgServer& server, int n) {
  std::vector<std::unique_ptr<PgClient>> clients;
  for (int i = 0; i < n; ++i) clients.push_back(std::make_unique<PgClient>(server.conninfo(), "app-" + std::to_string(i)));
  return clients;
}

// A config file with one target "main"; `before` holds top-level tables,
// `after` the target's own ([[targets.applications]]).
std::string config_file(const TempDir& dir, const PgServer& server, const std::string& before,
                        const std::string& after = "") {
  return dir.write("pgconn.toml",
                   before + "\n[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n" + after);
}

}  // namespace

TEST(CliDiagnose, HealthyServerExitsZero) {
  PgServer server;
  PgClient web(server.conninfo(), "web");
  wait_for_clients(web, 1);
  auto r = run_cli(server.url(), "diagnose");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "target default: ok\n  2 of 17 connections in use (12%), 15 available\n  no findings\n"))
      << r.output;
  r = run_cli(server.url(), "diagnose --format json");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.rfind("{\"severity\":\"ok\",\"targets\":[{\"target\":\"default\",\"up\":true,", 0), 0u) << r.output;
  EXPECT_EQ(run_cli(server.url(), "diagnose --format yaml").status, 2);
  EXPECT_EQ(run_cli(server.url(), "diagnose --target nope").status, 2);
}

TEST(CliDiagnose, NearAndAtTheLimit) {
  PgServer server(PgServerOptions{10, 3, {}, true});  // limit 7
  auto clients = named_clients(server, 5);
  wait_for_clients(*clients[0], 5);
  auto r = run_cli(server.url(), "diagnose");  // 6 of 7 with its own
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "WARNING near_limit: connections are close to the limit")) << r.output;
  EXPECT_TRUE(contains(r.output, "evidence: 6 of 7 connections in use (86%), 1 available")) << r.output;

  clients.push_back(std::make_unique<PgClient>(server.conninfo(), "app-5"));
  wait_for_clients(*clients[0], 6);
  r = run_cli(server.url(), "diagnose");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "CRITICAL at_limit: the connection limit is reached")) << r.output;
}

TEST(CliDiagnose, LeakedIdleInTransaction) {
  PgServer server;
  TempDir dir;
  std::string config = config_file(dir, server, "[thresholds]\nidle_in_transaction_seconds = 1");
  server.psql("CREATE ROLE app LOGIN IN ROLE pgconn_trusted");
  PgClient leaky(server.conninfo("app"), "leaky");
  leaky.exec("BEGIN; SELECT 1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto r = run_cli("", "diagnose --config.file=" + config);
  // Past 1 s it is a warning, past 2 s critical: a slow machine may see either.
  EXPECT_TRUE(r.status == 1 || r.status == 2) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("(WARNING|CRITICAL) leak_idle_in_transaction"))) << r.output;
  EXPECT_TRUE(contains(r.output, "leaky: 1 connection(s) idle in transaction over 1s")) << r.output;
  EXPECT_TRUE(contains(r.output, "pids " + std::to_string(leaky.pid()))) << r.output;
  EXPECT_TRUE(contains(r.output, "`pgconn_exporter reset --target 'main' --state idle_in_transaction --older-than 1s "
                                 "--application 'leaky' --execute`"))
      << r.output;
}

TEST(CliDiagnose, OneApplicationHoldsMostOfTheLimit) {
  PgServer server;
  std::vector<std::unique_ptr<PgClient>> hogs;
  for (int i = 0; i < 9; ++i) hogs.push_back(std::make_unique<PgClient>(server.conninfo(), "hog"));
  wait_for_clients(*hogs[0], 9);
  auto r = run_cli(server.url(), "diagnose");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "WARNING application_dominates")) << r.output;
  EXPECT_TRUE(contains(r.output, "hog holds 9 of the limit 17 (53%)")) << r.output;
}

TEST(CliDiagnose, DeclaredCapacityAboveTheLimit) {
  PgServer server;
  TempDir dir;
  std::string config = config_file(dir, server, "",
                                   "[[targets.applications]]\nname = \"web\"\npool_size = 10\n"
                                   "max_overflow = 10\nprocesses = 1\n");
  auto r = run_cli("", "diagnose --config.file=" + config);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "WARNING declared_capacity_exceeds_limit")) << r.output;
  EXPECT_TRUE(contains(r.output, "declared pools can open 20 connections")) << r.output;
  EXPECT_TRUE(contains(r.output, "web 1x(10+10)=20")) << r.output;
}

TEST(CliDiagnose, UnnamedConnectionsAreInfoOnly) {
  PgServer server;
  PgClient anonymous(server.conninfo());
  wait_for_clients(anonymous, 1);
  auto r = run_cli(server.url(), "diagnose");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "INFO unnamed_connections")) << r.output;
  EXPECT_TRUE(contains(r.output, "1 connection(s) have no application_name")) << r.output;
}

TEST(CliDiagnose, ManyIdleConnectionsSuggestAPooler) {
  PgServer server;
  auto clients = named_clients(server, 10);
  wait_for_clients(*clients[0], 10);
  auto r = run_cli(server.url(), "diagnose");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "INFO idle_connections_pooler")) << r.output;
  EXPECT_TRUE(contains(r.output, "10 of 11 connections are idle")) << r.output;
}

TEST(CliDiagnose, RoleWithoutPgMonitor) {
  PgServer server;
  server.psql("CREATE ROLE m LOGIN PASSWORD 'pw'");
  auto r = run_cli(server.url("m", "postgres", "pw"), "diagnose");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "WARNING missing_pg_monitor")) << r.output;
  EXPECT_FALSE(contains(r.output, "pw@")) << r.output;
}

TEST(CliDiagnose, UnreachableTargetExitsTwo) {
  std::string url = "postgresql://postgres@127.0.0.1:" + std::to_string(free_loopback_port()) + "/postgres";
  auto r = run_cli(url, "diagnose");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "target default: critical")) << r.output;
  EXPECT_TRUE(contains(r.output, "CRITICAL unreachable")) << r.output;
  EXPECT_TRUE(contains(r.output, "evidence: refused")) << r.output;
}

class CliReset : public ::testing::Test {
 protected:
  void SetUp() override {
    // "app" logs in without a password (pgconn_trusted) and is no superuser.
    server_.psql("CREATE ROLE app LOGIN IN ROLE pgconn_trusted");
    server_.psql("CREATE DATABASE other");
  }
  PgServer server_;
};

TEST_F(CliReset, RefusesWithoutFilterTargetOrValidValues) {
  std::string url = server_.url();
  auto r = run_cli(url, "reset --target default --execute");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "reset refuses to run without a filter")) << r.output;
  EXPECT_EQ(run_cli(url, "reset --application web").status, 2);  // no --target
  EXPECT_EQ(run_cli(url, "reset --target nope --application web").status, 2);
  EXPECT_EQ(run_cli(url, "reset --target default --state active").status, 2);
  EXPECT_EQ(run_cli(url, "reset --target default --older-than 10").status, 2);
}

TEST_F(CliReset, DryRunListsButTerminatesNothing) {
  PgClient v1(server_.conninfo("app"), "victim"), v2(server_.conninfo("app"), "victim");
  PgClient bystander(server_.conninfo("app"), "bystander");
  PgClient superuser(server_.conninfo(), "victim");
  auto r = run_cli(server_.url(), "reset --target default --application victim");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("\n +" + std::to_string(v1.pid()) + "  victim +app +postgres +idle")))
      << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(v2.pid()) + "  victim")) << r.output;
  EXPECT_FALSE(contains(r.output, std::to_string(superuser.pid()))) << r.output;
  EXPECT_FALSE(contains(r.output, std::to_string(bystander.pid()))) << r.output;
  EXPECT_TRUE(contains(r.output, "dry run: would terminate 2 client backend(s) on target default matching "
                                 "application=victim; add --execute"))
      << r.output;
  for (PgClient* c : {&v1, &v2, &bystander, &superuser}) EXPECT_TRUE(alive(*c));
}

TEST_F(CliReset, ExecuteTerminatesOnlySessionsMatchingEveryFilter) {
  PgClient idle(server_.conninfo("app"), "victim");
  PgClient in_tx(server_.conninfo("app"), "victim");
  PgClient other_db(server_.conninfo("app", "other"), "victim");
  PgClient bystander(server_.conninfo("app"), "bystander");
  PgClient superuser(server_.conninfo(), "victim");
  for (PgClient* c : {&in_tx, &other_db, &bystander, &superuser}) c->exec("BEGIN; SELECT 1");

  auto r = run_cli(server_.url(), "reset --target default --application victim --user app --database postgres "
                                  "--state idle_in_transaction --execute");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(in_tx.pid()))) << r.output;
  EXPECT_TRUE(contains(r.output, "terminated\nterminated 1 of 1 client backend(s)")) << r.output;
  EXPECT_FALSE(alive(in_tx));
  for (PgClient* c : {&idle, &other_db, &bystander, &superuser}) EXPECT_TRUE(alive(*c));

  // Injected SQL is just an application name that matches nothing.
  r = run_cli(server_.url(), "reset --target default --application \"x' OR '1'='1\" --execute");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "no client backend on target default matching")) << r.output;

  // --older-than counts the time in the current state.
  EXPECT_TRUE(contains(run_cli(server_.url(), "reset --target default --user app --older-than 1h --execute").output,
                       "no client backend"));
  // The others' states are older than the sleep; the bystander's must stay
  // younger than the threshold until the command has looked, so the command
  // (an exporter start, which sanitizers slow down) gets the whole 2 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  bystander.exec("SELECT 2");  // fresh state change: younger than 2 s
  r = run_cli(server_.url(), "reset --target default --user app --older-than 2s --execute");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "terminated 2 of 2")) << r.output;  // idle and other_db
  EXPECT_FALSE(alive(idle));
  EXPECT_FALSE(alive(other_db));
  EXPECT_TRUE(alive(bystander));
  EXPECT_TRUE(alive(superuser));
}

TEST_F(CliReset, NeverTerminatesItsOwnBackend) {
  server_.psql("CREATE ROLE ops LOGIN IN ROLE pgconn_trusted; GRANT pg_signal_backend TO ops");
  PgClient lookalike(server_.conninfo("ops"), "pgconn_exporter");
  auto r = run_cli(server_.url("ops"), "reset --target default --application pgconn_exporter --execute");
  // Had it terminated itself, the statement would have failed (exit 2).
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(lookalike.pid()) + "  pgconn_exporter")) << r.output;
  EXPECT_TRUE(contains(r.output, "terminated 1 of 1")) << r.output;
  EXPECT_FALSE(alive(lookalike));
}

TEST_F(CliReset, RoleWithoutPgSignalBackendIsRefused) {
  server_.psql("CREATE ROLE m LOGIN PASSWORD 'pw'");
  PgClient victim(server_.conninfo("app"), "victim");
  std::string url = server_.url("m", "postgres", "pw");
  auto r = run_cli(url, "reset --target default --application victim --execute");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "refusing to reset: role m is neither superuser nor a member of "
                                 "pg_signal_backend"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "GRANT pg_signal_backend TO m;")) << r.output;
  EXPECT_TRUE(alive(victim));
  r = run_cli(url, "reset --target default --application victim");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "note: --execute would be refused")) << r.output;
  EXPECT_TRUE(contains(r.output, "is not a member of pg_monitor")) << r.output;
}

TEST(CliMonitor, OncePrintsUsageAndTheApplicationsTable) {
  PgServer server;
  TempDir dir;
  std::string config = config_file(dir, server, "",
                                   "[[targets.applications]]\nname = \"web\"\npool_size = 2\n"
                                   "max_overflow = 1\nprocesses = 1\n");
  std::vector<std::unique_ptr<PgClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<PgClient>(server.conninfo(), "web"));
  for (int i = 0; i < 2; ++i) {
    clients.push_back(std::make_unique<PgClient>(server.conninfo(), "worker"));
    clients.back()->exec("BEGIN; SELECT 1");
  }
  wait_for_clients(*clients[0], 5);
  auto r = run_cli("", "monitor --once --config.file=" + config);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << r.output;  // not a terminal: plain text
  EXPECT_TRUE(contains(r.output, "main  limit 17  used 6  available 11\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "states:  active 1  idle 3  idle in transaction 2\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "APPLICATION             HELD ACTIVE  IDLE IDLE-TX  OLDEST  POOL OVERFLOW"))
      << r.output;
  // web: 3 idle, declared 1 x (2 + 1) = 3, one beyond its pool_size.
  EXPECT_TRUE(std::regex_search(r.output, std::regex("\nweb +3 +0 +3 +0 +\\d+s +3 +1\n"))) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("\nworker +2 +0 +0 +2 +\\d+s +- +-\n"))) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("\npgconn_exporter_moni~ +1 +1 +0 +0 +- +- +-\n"))) << r.output;
  EXPECT_EQ(run_cli("", "monitor --once --interval 0s --config.file=" + config).status, 2);
}

// A private tmux server with an 80x24 window; killed when the test ends.
class Tmux {
 public:
  Tmux() : socket_("pgconn-test-" + std::to_string(getpid())) {}
  // The server may already have left with its last session; its socket
  // file stays behind either way.
  ~Tmux() {
    run_command("tmux -L " + socket_ + " kill-server 2>/dev/null || true; rm -f \"${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/" +
                socket_ + "\"");
  }
  void start(const std::string& session, const std::string& script) const {
    run_command("tmux -L " + socket_ + " new-session -d -x 80 -y 24 -s " + session + " 'sh " + script + "'");
  }
  // Waits up to `timeout_ms` for `session` to be gone; false if it is not.
  bool wait_gone(const std::string& session, int timeout_ms) const {
    for (int waited = 0;; waited += 50) {
      // has-session fails for a missing session and when the server has left.
      if (run_command("tmux -L " + socket_ + " has-session -t '=" + session + "' 2>/dev/null && echo up || echo gone") ==
          "gone\n") {
        return true;
      }
      if (waited >= timeout_ms) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::string capture(const std::string& session) const {
    return run_command("tmux -L " + socket_ + " capture-pane -p -t " + session + " || true");
  }
  void keys(const std::string& session, const std::string& keys) const {
    run_command("tmux -L " + socket_ + " send-keys -t " + session + " " + keys);
  }

 private:
  std::string socket_;
};

// Waits up to `timeout_ms` for `path` to hold something; returns it.
std::string wait_for_file(const std::string& path, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 50) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!text.empty()) return text;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

TEST(CliMonitor, RunsInTmuxAndQuitsOnQOrCtrlC) {
  PgServer server;
  PgClient web(server.conninfo(), "web");
  TempDir dir;
  Tmux tmux;
  for (const std::string key : {"q", "C-c"}) {
    // A session of its own per run: the previous one may still be closing.
    const std::string session = "mon-" + key;
    std::string status = dir.path() + "/status-" + key;
    std::string script = dir.write("run.sh", "DATABASE_URL='" + server.url() + "' " + exporter_binary() +
                                                 " monitor --interval 500ms\necho \"exit=$?\" > " + status + "\n");
    tmux.start(session, script);
    std::string screen;
    for (int i = 0; i < 100 && !contains(screen, "APPLICATION"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      screen = tmux.capture(session);
    }
    EXPECT_TRUE(contains(screen, "pgconn_exporter monitor  every 500ms")) << screen;
    EXPECT_TRUE(contains(screen, "(q quits)")) << screen;
    EXPECT_TRUE(contains(screen, "default  limit 17  used 2  available 15")) << screen;
    EXPECT_TRUE(std::regex_search(screen, std::regex("\nweb +1 +0 +1 +0"))) << screen;
    EXPECT_LE(std::count(screen.begin(), screen.end(), '\n'), 24) << screen;
    tmux.keys(session, key);
    EXPECT_EQ(wait_for_file(status, 5000), "exit=0\n") << "monitor did not exit on " << key;
    // Gone before the next run starts (its monitor and backend with it).
    EXPECT_TRUE(tmux.wait_gone(session, 5000)) << session << " still running";
  }
}

// Matching sessions reset leaves alone are counted, with why, in the dry
// run and after --execute.
TEST_F(CliReset, SaysWhatItSkippedAndWhy) {
  server_.psql("CREATE ROLE ops LOGIN IN ROLE pgconn_trusted; GRANT pg_signal_backend, pg_monitor TO ops");
  PgClient victim(server_.conninfo("app"), "victim");
  PgClient superuser(server_.conninfo(), "victim");
  for (bool execute : {false, true}) {
    auto r = run_cli(server_.url("ops"), std::string("reset --target default --application victim") +
                                             (execute ? " --execute" : ""));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(contains(r.output, execute ? "terminated 1 of 1 client backend(s)" : "dry run: would terminate 1 "))
        << r.output;
    EXPECT_TRUE(contains(r.output, "1 matching session belongs to a superuser role and is not terminated\n"))
        << r.output;
  }
  EXPECT_FALSE(alive(victim));
  EXPECT_TRUE(alive(superuser));
  // Only the superuser's session matches now.
  auto r = run_cli(server_.url("ops"), "reset --target default --application victim --execute");
  EXPECT_EQ(r.output, "no client backend on target default matching application=victim\n"
                      "1 matching session belongs to a superuser role and is not terminated\n");
  // Without --application, the exporter's own sessions are spared.
  ExporterProcess exporter("[[targets]]\nname = \"main\"\ndsn = \"" + server_.url("ops") + "\"\n");
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 5000));
  r = run_cli(server_.url("ops"), "reset --target default --state idle --execute");
  EXPECT_TRUE(contains(r.output, "1 matching session belongs to pgconn_exporter's monitoring (name it with "
                                 "--application to include it) and is not terminated"))
      << r.output;
  EXPECT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 2000));
  EXPECT_EQ(exporter.logs().find("connection_lost"), std::string::npos) << exporter.logs();
}
