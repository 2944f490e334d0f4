// What the exporter shows when names are hostile, a second exporter or an
// operator command is connected, or a client names itself like a shell
// command, against a real server (issue 13): valid UTF-8 everywhere with
// control characters escaped on terminals, the exporter's family never a
// leak, suggested commands safe to paste, findings that name who.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "exporter_process.h"
#include "pg_client.h"
#include "pg_server.h"
#include "temp_dir.h"

using namespace pgtest;

namespace {

// A file in a private directory removed afterwards.
// Python's strict UTF-8 decoder (and JSON parser, with `json`) as the oracle.
bool valid_utf8(const TempDir& scratch, const std::string& bytes, bool json = false) {
  std::string path = scratch.write("check.bin", bytes);
  std::string program = json ? "import json,sys; json.loads(open(sys.argv[1],'rb').read().decode('utf-8'))"
                             : "import sys; open(sys.argv[1],'rb').read().decode('utf-8')";
  return run_status("python3 -c \"" + program + "\" " + path).status == 0;
}

bool has_raw_controls(const std::string& text) {
  return text.find('\x1b') != std::string::npos || text.find("\xc2\x9b") != std::string::npos;
}

std::string config(const PgServer& server, const std::string& extra = "") {
  return "[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n"
         "[thresholds]\nidle_in_transaction_seconds = 1\nconnection_age_seconds = 1\n"
         "[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n" + extra;
}

}  // namespace

// Names that are not UTF-8 (a SQL_ASCII database lets them into the shared
// catalogs) or hold terminal escapes reach no output as they are.
TEST(HostileInput, NonUtf8AndControlCharacterNamesKeepEveryOutputValid) {
  PgServer server;
  server.psql("CREATE DATABASE asciidb ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
  server.psql("CREATE ROLE \"bad\xff\xfeutf\" LOGIN CONNECTION LIMIT 4 IN ROLE pgconn_trusted", "asciidb");
  server.psql("CREATE ROLE \"esc\x1b[2J\xc2\x9bx\" LOGIN IN ROLE pgconn_trusted", "asciidb");
  server.psql("CREATE DATABASE \"baddb\xc3\x28\" CONNECTION LIMIT 3", "asciidb");
  PgClient bad("host=127.0.0.1 port=" + std::to_string(server.port()) + " dbname=asciidb user='bad\xff\xfeutf'",
               "victim");
  PgClient esc("host=127.0.0.1 port=" + std::to_string(server.port()) + " dbname=postgres user='esc\x1b[2J\xc2\x9bx'",
               "victim");
  TempDir scratch;
  // The second target fails with the server quoting a database name full of escapes.
  ExporterProcess exporter(config(server, "[[targets]]\nname = \"escapes\"\ndsn = \"host=127.0.0.1 port=" +
                                              std::to_string(server.port()) +
                                              " user=postgres dbname='nodb\\u001b[2J\\u009b'\"\n"));
  ASSERT_TRUE(exporter.wait_for("pgconn_user_connections", {{"usename", "bad\xef\xbf\xbd\xef\xbf\xbdutf"}}, is_one, 10000))
      << exporter.get("/metrics").body;

  std::string metrics = exporter.get("/metrics").body;
  EXPECT_EQ(find_sample(metrics, "pgconn_user_connection_limit", {{"usename", "bad\xef\xbf\xbd\xef\xbf\xbdutf"}}), 4);
  EXPECT_EQ(find_sample(metrics, "pgconn_database_connection_limit", {{"datname", "baddb\xef\xbf\xbd("}}), 3);
  std::string path = scratch.write("scrape.txt", metrics);
  CommandResult lint = run_status("promtool check metrics < " + path);
  EXPECT_EQ(lint.status, 0) << lint.output;
  EXPECT_EQ(lint.output, "");
  EXPECT_TRUE(valid_utf8(scratch, metrics));
  for (const char* endpoint : {"/health", "/health/db"}) {
    EXPECT_TRUE(valid_utf8(scratch, exporter.get(endpoint).body, true)) << endpoint;
  }

  std::string cfg = scratch.write("pgconn.toml", config(server));
  std::string binary = exporter_binary() + " --config.file=" + cfg;
  CommandResult json = run_status(binary + " diagnose --format json");
  EXPECT_TRUE(valid_utf8(scratch, json.output, true)) << json.output;
  for (const std::string& command : {binary + " diagnose", binary + " monitor --once",
                                     binary + " reset --target main --application victim"}) {
    CommandResult r = run_status(command);
    EXPECT_TRUE(valid_utf8(scratch, r.output)) << command << "\n" << r.output;
    EXPECT_FALSE(has_raw_controls(r.output)) << command << "\n" << r.output;
  }
  CommandResult reset = run_status(binary + " reset --target main --application victim");
  EXPECT_NE(reset.output.find("esc\\x1b[2J\\u009bx"), std::string::npos) << reset.output;
  EXPECT_NE(reset.output.find("bad\xef\xbf\xbd\xef\xbf\xbdutf"), std::string::npos) << reset.output;

  ASSERT_TRUE(exporter.wait_for("pgconn_poll_errors_total", {{"target", "escapes"}, {"reason", "database_missing"}},
                                positive, 10000));
  std::string logs = exporter.logs();
  EXPECT_NE(logs.find("nodb\\u001b[2J\\u009b"), std::string::npos) << logs;
  EXPECT_FALSE(has_raw_controls(logs)) << logs;
  EXPECT_TRUE(valid_utf8(scratch, logs));
}

// An HA pair on one server, plus diagnose and monitor: the exporter's own
// sessions count as used but are never leak suspects, never in the ages,
// never an application that dominates.
TEST(HostileInput, AnHaPairAndTheOperatorCommandsAreNeverLeaks) {
  PgServer server(PgServerOptions{8, 3, {}, true});  // a budget of 5 slots
  server.psql("CREATE ROLE app LOGIN IN ROLE pgconn_trusted");
  PgClient leaky(server.conninfo("app"), "leaky");
  ExporterProcess first(config(server)), second(config(server));
  for (ExporterProcess* e : {&first, &second}) {
    ASSERT_TRUE(e->wait_for("pgconn_monitoring_connections", {{"target", "main"}}, [](double v) { return v == 2; },
                            10000))
        << e->get("/metrics").body;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // every session is older than connection_age_seconds
  for (ExporterProcess* e : {&first, &second}) {
    std::string metrics = e->get("/metrics").body;
    EXPECT_EQ(find_sample(metrics, "pgconn_leak_suspect_connections",
                          {{"application_name", "pgconn_exporter"}, {"reason", "age"}}), 0) << metrics;
    EXPECT_EQ(find_sample(metrics, "pgconn_application_oldest_connection_age_seconds",
                          {{"application_name", "pgconn_exporter"}}), 0);
    // Counted as used: the polling one is active, the other idle.
    EXPECT_EQ(*find_sample(metrics, "pgconn_application_connections",
                           {{"application_name", "pgconn_exporter"}, {"state", "idle"}}) +
                  *find_sample(metrics, "pgconn_application_connections",
                               {{"application_name", "pgconn_exporter"}, {"state", "active"}}),
              2);
    EXPECT_EQ(find_sample(metrics, "pgconn_leak_suspect_connections", {{"application_name", "leaky"}, {"reason", "age"}}),
              1);
    std::string health = e->get("/health").body;
    EXPECT_EQ(health.find("\"application\":\"pgconn_exporter"), std::string::npos) << health;
    EXPECT_NE(health.find("\"code\":\"leak_old_connections\",\"summary\":\"long-lived connections: a leak is "
                          "suspected\",\"application\":\"leaky\""),
              std::string::npos) << health;
  }
  TempDir scratch;
  std::string binary = exporter_binary() + " --config.file=" + scratch.write("pgconn.toml", config(server));
  // diagnose itself makes three of the family on a budget of five: more than half.
  CommandResult diagnose = run_status(binary + " diagnose");
  EXPECT_NE(diagnose.output.find("leaky: 1 connection(s) older than 1s"), std::string::npos) << diagnose.output;
  EXPECT_EQ(diagnose.output.find("application_dominates"), std::string::npos) << diagnose.output;
  EXPECT_EQ(diagnose.output.find("pgconn_exporter: "), std::string::npos) << diagnose.output;
  CommandResult monitor = run_status(binary + " monitor --once");
  EXPECT_EQ(monitor.output.find("application_dominates"), std::string::npos) << monitor.output;
  EXPECT_NE(monitor.output.find("warning leak_old_connections"), std::string::npos) << monitor.output;
  EXPECT_EQ(monitor.output.find("leak_old_connections x"), std::string::npos) << monitor.output;  // only leaky's
}

// A client may call itself anything: the suggested reset command, pasted
// into bash, terminates exactly that client's leaked session and runs
// nothing the name spells.
TEST(HostileInput, TheSuggestedResetIsSafeToPaste) {
  PgServer server;
  server.psql("CREATE ROLE app LOGIN IN ROLE pgconn_trusted");
  TempDir scratch;
  const std::string pwned = scratch.path() + "/pwned";
  const std::string name = "x $(touch " + pwned + ") ;id; it's `id`";
  std::string quoted = name;
  for (size_t pos = 0; (pos = quoted.find('\'', pos)) != std::string::npos; pos += 2) quoted.insert(pos, "\\");
  PgClient victim(server.conninfo("app") + " application_name='" + quoted + "'");
  PgClient bystander(server.conninfo("app"), "bystander");
  PgClient same_name_idle(server.conninfo("app") + " application_name='" + quoted + "'");  // not in a transaction
  victim.exec("BEGIN; SELECT 1");
  bystander.exec("BEGIN; SELECT 1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past idle_in_transaction_seconds

  std::string cfg = scratch.write("pgconn.toml", config(server));
  CommandResult diagnose = run_status(exporter_binary() + " --config.file=" + cfg + " diagnose");
  size_t at = diagnose.output.find("free them now with `pgconn_exporter reset --target 'main' --state "
                                   "idle_in_transaction --older-than 1s --application 'x $(touch");
  ASSERT_NE(at, std::string::npos) << diagnose.output;
  size_t start = diagnose.output.find('`', at) + 1;
  std::string suggestion = diagnose.output.substr(start, diagnose.output.find("`\n", start) - start);
  // The operator's shell: pgconn_exporter on PATH with its configuration.
  std::string script = scratch.write("paste.sh", "pgconn_exporter() { " + exporter_binary() + " --config.file=" + cfg +
                                                     " \"$@\"; }\n" + suggestion + "\n");
  CommandResult pasted = run_status("bash " + script);
  EXPECT_EQ(pasted.status, 0) << suggestion << "\n" << pasted.output;
  EXPECT_NE(pasted.output.find("terminated 1 of 1 client backend(s)"), std::string::npos) << pasted.output;
  EXPECT_NE(pasted.output.find(std::to_string(victim.pid())), std::string::npos) << pasted.output;
  EXPECT_EQ(pasted.output.find("uid="), std::string::npos) << pasted.output;
  EXPECT_NE(access(pwned.c_str(), F_OK), 0) << "the name's command ran";
  EXPECT_EQ(server.psql("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(victim.pid())), "0");
  EXPECT_NO_THROW(bystander.exec("SELECT 1"));
  EXPECT_NO_THROW(same_name_idle.exec("SELECT 1"));
}

TEST(HostileInput, HealthFindingsNameTheirApplication) {
  PgServer server;
  server.psql("CREATE ROLE app LOGIN IN ROLE pgconn_trusted");
  std::vector<std::unique_ptr<PgClient>> clients;
  for (const char* name : {"appA", "appA", "appB"}) {
    clients.push_back(std::make_unique<PgClient>(server.conninfo("app"), name));
    clients.back()->exec("BEGIN; SELECT 1");
  }
  ExporterProcess exporter(config(server));
  ASSERT_TRUE(exporter.wait_for("pgconn_leak_suspect_connections",
                                {{"application_name", "appA"}, {"reason", "idle_in_transaction"}},
                                [](double v) { return v == 2; }, 10000));
  std::string health = exporter.get("/health").body;
  for (const char* app : {"appA", "appB"}) {
    std::string finding = "\"code\":\"leak_idle_in_transaction\",\"summary\":\"sessions left idle in transaction (a "
                          "transaction opened and never committed)\",\"application\":\"" + std::string(app) + "\"";
    size_t first = health.find(finding);
    EXPECT_NE(first, std::string::npos) << health;
    EXPECT_EQ(health.find(finding, first + 1), std::string::npos) << "listed twice: " << health;
  }
}
