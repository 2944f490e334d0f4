// Secrets never leave the exporter: known passwords (in a DSN, a
// password_file, a DATABASE_URL_FILE, a wrong one, the scrape password and
// its bcrypt hash) are searched for in every output stream and in what a real
// Prometheus scraped over HTTPS with basic auth.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <thread>

#include "exporter_process.h"
#include "eventually.h"
#include "pg_server.h"
#include "certificates.h"

using namespace pgtest;

namespace {

const std::string kUrlSecret = "UrlSecret-4f1c9";
const std::string kFileSecret = "FileSecret-8b2d7";
const std::string kWrongSecret = "WrongSecret-3a6e";
const std::string kEnvSecret = "EnvSecret-5d0b2";
const std::string kScrapeSecret = "ScrapeSecret-9c4a";

class Security : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new PgServer();
    for (auto [role, password] : {std::pair{"pgconn_url", kUrlSecret}, {"pgconn_file", kFileSecret},
                                  {"pgconn_env", kEnvSecret}}) {
      server_->psql("CREATE ROLE " + std::string(role) + " LOGIN PASSWORD '" + password + "'; GRANT pg_monitor TO " +
                    role);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // TLS, basic auth and three targets: DSN password, password_file, wrong password.
  static std::string config(const TempDir& secrets, const std::string& hash) {
    std::string port = std::to_string(server_->port());
    return "[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n"
           "[web.tls]\ncert_file = \"" + secrets.file("server.crt") + "\"\nkey_file = \"" + secrets.file("server.key") +
           "\"\n[web.basic_auth.users]\nprometheus = \"" + hash + "\"\n"
           "[[targets]]\nname = \"url\"\ndsn = \"postgresql://pgconn_url:" + kUrlSecret + "@127.0.0.1:" + port +
           "/postgres\"\nconnect_probe = true\n"
           "[[targets]]\nname = \"file\"\ndsn = \"host=127.0.0.1 port=" + port +
           " user=pgconn_file dbname=postgres\"\npassword_file = \"" + secrets.file("pgpass") + "\"\n"
           "[[targets]]\nname = \"wrong\"\ndsn = \"host=127.0.0.1 port=" + port + " user=pgconn_url password='" +
           kWrongSecret + "' dbname=postgres\"\nconnect_probe = true\n";
  }

  static PgServer* server_;
};
PgServer* Security::server_ = nullptr;

Call scrape(const std::string& path) { return Call{"GET", path, {}, "", "prometheus", kScrapeSecret}; }

// Every secret absent from every stream, reported per stream.
void expect_no_secret(const std::map<std::string, std::string>& streams, const std::vector<std::string>& secrets) {
  for (const auto& [name, text] : streams) {
    EXPECT_FALSE(text.empty()) << name << " is empty: nothing was checked";
    for (const std::string& secret : secrets) EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << name;
  }
}

}  // namespace

TEST_F(Security, NoSecretInAnyOutput) {
  TempDir secrets;
  make_certificate(secrets, "server");
  secrets.write("pgpass", kFileSecret + "\n");
  const std::string hash = bcrypt_hash(kScrapeSecret);
  std::map<std::string, std::string> streams;

  ExporterProcess exporter(config(secrets, hash), when_accepting({"--log.level=debug", "--log.format=json"}));
  exporter.use_tls(secrets.file("server.crt"));
  auto sample = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    return find_sample(exporter.call(scrape("/metrics")).body, name, labels);
  };
  ASSERT_TRUE(eventually([&] { return sample("pgconn_up", {{"target", "url"}}) == 1.0; })) << exporter.err();
  ASSERT_TRUE(eventually([&] { return sample("pgconn_up", {{"target", "file"}}) == 1.0; })) << exporter.err();
  ASSERT_TRUE(eventually([&] { return sample("pgconn_poll_errors_total", {{"target", "wrong"}, {"reason", "auth"}}) > 0; }));
  for (const char* path : {"/", "/metrics", "/health", "/health/db", "/probe?target=url", "/probe?target=file",
                           "/probe?target=wrong"}) {
    streams[std::string("live scrape ") + path] = exporter.call(scrape(path)).body;
  }
  EXPECT_NE(streams["live scrape /health/db"].find("password authentication failed"), std::string::npos);
  exporter.call({"GET", "/metrics", {}, "", "prometheus", kWrongSecret});  // a rejected scrape, logged at debug

  // A good reload, then one rejected for an error in the file.
  exporter.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return exporter.err().find("configuration reloaded") != std::string::npos; }));
  std::string broken = config(secrets, hash);  // libpq quotes this URL, password and all, in its error
  broken.replace(broken.find("@127.0.0.1"), 10, "@[::1]x");
  exporter.rewrite_config(broken);
  exporter.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return exporter.err().find("configuration reload rejected") != std::string::npos; }));
  exporter.signal(SIGTERM);
  EXPECT_EQ(exporter.wait_exit(10000), 0);
  streams["exporter stdout"] = exporter.out() + "(stdout)";  // the daemon writes nothing there
  streams["exporter stderr (logs)"] = exporter.err();

  // check-config on the valid file and on a file whose DSN libpq rejects.
  secrets.write("valid.toml", config(secrets, hash));
  streams["check-config"] = run_command(exporter_binary() + " check-config " + secrets.file("valid.toml") + " 2>&1");
  // Printed as libpq parses them, the password hidden.
  EXPECT_NE(streams["check-config"].find("url: user=pgconn_url password=*** dbname=postgres host=127.0.0.1 port="),
            std::string::npos) << streams["check-config"];
  EXPECT_NE(streams["check-config"].find("wrong: user=pgconn_url password=*** dbname=postgres host=127.0.0.1 port="),
            std::string::npos) << streams["check-config"];
  secrets.write("invalid.toml", "[[targets]]\nname = \"x\"\ndsn = \"postgresql://u:" + kUrlSecret + "@[::1]x/db\"\n");
  streams["check-config error"] =
      run_command(exporter_binary() + " check-config " + secrets.file("invalid.toml") + " 2>&1 || true");

  // The DSN from DATABASE_URL_FILE, and an invalid one from that file.
  secrets.write("dsn", "postgresql://pgconn_env:" + kEnvSecret + "@127.0.0.1:" + std::to_string(server_->port()) +
                           "/postgres\n");
  {
    ExporterProcess from_file("", when_accepting({"--log.level=debug"}, {"DATABASE_URL_FILE=" + secrets.file("dsn")}));
    ASSERT_TRUE(eventually([&] {
      return find_sample(from_file.call({"GET", "/metrics"}).body, "pgconn_up", {{"target", "default"}}) == 1.0;
    })) << from_file.err();
    for (const char* path : {"/metrics", "/health", "/health/db"}) {
      streams[std::string("DATABASE_URL_FILE exporter ") + path] = from_file.call({"GET", path}).body;
    }
    streams["DATABASE_URL_FILE exporter logs"] = from_file.err() + from_file.out();
  }
  secrets.write("bad-dsn", "postgresql://pgconn_env:" + kEnvSecret + "@[::1]x/postgres\n");
  CommandResult bad = run_status("DATABASE_URL_FILE=" + secrets.file("bad-dsn") + " " + exporter_binary());
  streams["DATABASE_URL_FILE error"] = bad.output;
  EXPECT_EQ(bad.status, 2) << bad.output;

  expect_no_secret(streams, {kUrlSecret, kFileSecret, kWrongSecret, kEnvSecret, kScrapeSecret, hash});
}

TEST_F(Security, PrometheusScrapesOverTlsWithBasicAuth) {
  TempDir secrets;
  make_certificate(secrets, "server");
  secrets.write("pgpass", kFileSecret + "\n");
  secrets.write("scrape-password", kScrapeSecret + "\n");
  secrets.write("wrong-password", kWrongSecret + "\n");
  const std::string hash = bcrypt_hash(kScrapeSecret);
  ExporterProcess exporter(config(secrets, hash), when_accepting());

  // The scrape configuration docs/security.md shows, plus a job with a wrong password.
  std::string address = "127.0.0.1:" + std::to_string(exporter.port());
  auto job = [&](const std::string& name, const std::string& password_file, const std::string& rest) {
    return "  - job_name: " + name + "\n    scheme: https\n    tls_config:\n      ca_file: " +
           secrets.file("server.crt") + "\n    basic_auth:\n      username: prometheus\n      password_file: " +
           secrets.file(password_file) + "\n" + rest;
  };
  secrets.write("prometheus.yml",
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n" +
                    job("pgconn", "scrape-password", "    static_configs:\n      - targets: [\"" + address + "\"]\n") +
                    job("pgconn_probe", "scrape-password",
                        "    metrics_path: /probe\n    static_configs:\n      - targets: [url, file]\n"
                        "    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n"
                        "      - source_labels: [__param_target]\n        target_label: instance\n"
                        "      - target_label: __address__\n        replacement: " + address + "\n") +
                    job("pgconn_wrong_password", "wrong-password",
                        "    static_configs:\n      - targets: [\"" + address + "\"]\n"));
  int prometheus_port = free_loopback_port();
  pid_t prometheus = fork();
  ASSERT_GE(prometheus, 0);
  if (prometheus == 0) {
    std::string log = secrets.file("prometheus.log");
    FILE* out = std::fopen(log.c_str(), "w");
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(out), STDERR_FILENO);
    execlp("prometheus", "prometheus", ("--config.file=" + secrets.file("prometheus.yml")).c_str(),
           ("--storage.tsdb.path=" + secrets.file("tsdb")).c_str(),
           ("--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)).c_str(), nullptr);
    _exit(127);
  }
  auto query = [&](const std::string& promql) {
    httplib::Client client("127.0.0.1", prometheus_port);
    auto res = client.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    return res ? res->body : std::string();
  };
  auto has_result = [&](const std::string& promql) {
    return eventually([&] { return query(promql).find("\"result\":[{") != std::string::npos; }, std::chrono::seconds(30));
  };
  EXPECT_TRUE(has_result("up{job=\"pgconn\"} == 1"));
  EXPECT_TRUE(has_result("pgconn_up{job=\"pgconn_probe\",target=\"url\"} == 1"));
  EXPECT_TRUE(has_result("pgconn_up{job=\"pgconn_probe\",target=\"file\"} == 1"));
  EXPECT_TRUE(has_result("up{job=\"pgconn_wrong_password\"} == 0"));
  std::string everything = query("{__name__=~\".+\"}");
  EXPECT_NE(everything.find("pgconn_connections_used"), std::string::npos);
  kill(prometheus, SIGTERM);
  waitpid(prometheus, nullptr, 0);

  std::ifstream log_file(secrets.file("prometheus.log"));
  std::string prometheus_log((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(exporter.err().find("status=401"), std::string::npos);  // the wrong-password job
  expect_no_secret({{"Prometheus' stored series", everything}, {"Prometheus' log", prometheus_log},
                    {"exporter logs", exporter.err()}},
                   {kUrlSecret, kFileSecret, kWrongSecret, kScrapeSecret, hash});
}

// Passwords with '@' and '/': percent-encoded they work, raw they are refused
// before libpq can take their tail for a host; nothing of them is printed.
TEST_F(Security, PasswordsWithAtAndSlashWorkEncodedAndLeakNothingRaw) {
  server_->psql("CREATE ROLE pgconn_odd LOGIN PASSWORD 'p@ssW0rdTail1/x''y'; GRANT pg_monitor TO pgconn_odd");
  TempDir dir;
  std::string port = std::to_string(server_->port());
  std::map<std::string, std::string> streams;
  for (const std::string& dsn : {"postgresql://pgconn_odd:p@ssW0rdTail1@127.0.0.1:" + port + "/postgres",
                                 "postgresql://pgconn_odd:Ab/cdW0rdTail1@127.0.0.1:" + port + "/postgres"}) {
    dir.write("raw.toml", "[[targets]]\nname = \"raw\"\ndsn = \"" + dsn + "\"\n");
    CommandResult check = run_status(exporter_binary() + " check-config " + dir.file("raw.toml"));
    std::string out = check.output;
    EXPECT_EQ(check.status, 2) << out;
    EXPECT_NE(out.find("raw.toml:3:7: targets.dsn: invalid dsn: the user info of a postgresql:// URI holds a raw"),
              std::string::npos) << out;
    streams["check-config " + dsn.substr(0, 30)] = out;
    CommandResult daemon = run_status("DATABASE_URL='" + dsn + "' " + exporter_binary() +
                                      " --web.listen-address=127.0.0.1:" + std::to_string(free_loopback_port()));
    streams["daemon with DATABASE_URL"] = daemon.output;
    EXPECT_EQ(daemon.status, 2) << daemon.output;
  }
  for (const auto& [name, text] : streams) {
    EXPECT_EQ(text.find("W0rdTail1"), std::string::npos) << name << ": " << text;
    EXPECT_EQ(text.find("ssW0rd"), std::string::npos) << name << ": " << text;
  }

  // Encoded in the URL, and in a password_file ending in "\r\n" (Windows editors).
  dir.write("pgpass-crlf", "p@ssW0rdTail1/x'y\r\n");
  ExporterProcess exporter("[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n"
                          "[[targets]]\nname = \"encoded\"\ndsn = \"postgresql://pgconn_odd:p%40ssW0rdTail1%2Fx'y@127.0.0.1:" +
                          port + "/postgres\"\n[[targets]]\nname = \"file\"\ndsn = \"host=127.0.0.1 port=" + port +
                          " user=pgconn_odd dbname=postgres\"\npassword_file = \"" + dir.file("pgpass-crlf") + "\"\n", when_accepting());
  for (const char* target : {"encoded", "file"}) {
    EXPECT_TRUE(eventually([&] {
      return find_sample(exporter.call({"GET", "/metrics"}).body, "pgconn_up", {{"target", target}}) == 1.0;
    })) << target << "\n" << exporter.err();
  }
  std::string everything = exporter.call({"GET", "/metrics"}).body + exporter.call({"GET", "/health"}).body +
                           exporter.call({"GET", "/health/db"}).body + exporter.err();
  EXPECT_EQ(everything.find("W0rdTail1"), std::string::npos);
}
