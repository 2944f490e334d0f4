#include <gtest/gtest.h>

#include <cstdlib>

#include "config/config.h"

using pgconn::config::Config;
using pgconn::config::ConfigError;
using pgconn::config::parse;

namespace {

const char* kFull = R"toml(
[web]
listen_address = "127.0.0.1:9999"
[poll]
interval = "10s"
timeout = "2500ms"
[thresholds]
connections_warning = 12
connections_critical = 15
utilization_warning = 0.7
[[targets]]
name = "main"
dsn = "postgresql://monitor@127.0.0.1:5432/postgres"
connection_limit = 20
[targets.thresholds]
utilization_critical = 0.9
[[targets.applications]]
name = "fast_ensemble_engine"
pool_size = 5
max_overflow = 10
processes = 2
[[targets]]
name = "replica"
dsn = "host=127.0.0.1 port=5433 user=monitor"
)toml";

std::string error_of(const std::string& text) {
  try {
    parse(text, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Config, ParsesEveryKeyAndInheritsThresholds) {
  Config c = parse(kFull, "test.toml");
  EXPECT_EQ(c.listen_address, "127.0.0.1:9999");
  EXPECT_EQ(c.poll_interval.count(), 10000);
  EXPECT_EQ(c.poll_timeout.count(), 2500);
  ASSERT_EQ(c.targets.size(), 2u);
  const auto& main = c.targets[0];
  EXPECT_EQ(main.connection_limit, 20);
  EXPECT_EQ(main.thresholds.connections_warning, 12);
  EXPECT_DOUBLE_EQ(main.thresholds.utilization_warning, 0.7);   // inherited
  EXPECT_DOUBLE_EQ(main.thresholds.utilization_critical, 0.9);  // overridden
  ASSERT_EQ(main.applications.size(), 1u);
  EXPECT_EQ(main.applications[0].processes, 2);
  EXPECT_DOUBLE_EQ(c.targets[1].thresholds.utilization_critical, 0.95);
  EXPECT_FALSE(c.targets[1].connection_limit.has_value());
}

TEST(Config, DefaultsWhenTablesAreAbsent) {
  Config c = parse("[[targets]]\nname = \"a\"\ndsn = \"host=127.0.0.1\"\n", "t.toml");
  EXPECT_EQ(c.listen_address, "127.0.0.1:9188");
  EXPECT_EQ(c.poll_interval.count(), 5000);
  EXPECT_EQ(c.poll_timeout.count(), 3000);
  EXPECT_EQ(c.max_applications, 50);
  EXPECT_FALSE(c.exporter_pool_histograms);
}

TEST(Config, ExporterPoolHistogramsIsABooleanOptIn) {
  const std::string target = "[[targets]]\nname = \"a\"\ndsn = \"host=127.0.0.1\"\n";
  EXPECT_TRUE(parse("[metrics]\nexporter_pool_histograms = true\n" + target, "t.toml").exporter_pool_histograms);
  EXPECT_EQ(error_of("[metrics]\nmax_applications = 5\nexporter_pool_histograms = \"yes\"\n" + target),
            "test.toml:3:28: metrics.exporter_pool_histograms: expected true or false, got a string");
}

TEST(Config, UnknownKeyNamesFileKeyLineAndColumn) {
  EXPECT_EQ(error_of("[poll]\ninterval = \"5s\"\n  intervall = \"5s\"\n[[targets]]\nname=\"a\"\ndsn=\"host=x\"\n"),
            "test.toml:3:3: poll.intervall: unknown key");
}

TEST(Config, WrongTypeIsAnError) {
  EXPECT_EQ(error_of("[thresholds]\nconnections_warning = \"12\"\n"),
            "test.toml:2:23: thresholds.connections_warning: expected an integer, got a string");
}

TEST(Config, BadDurationIsAnError) {
  std::string e = error_of("[poll]\ninterval = \"5 seconds\"\n[[targets]]\nname=\"a\"\ndsn=\"host=x\"\n");
  EXPECT_NE(e.find("test.toml:2:12: poll.interval: invalid duration \"5 seconds\""), std::string::npos) << e;
  e = error_of("[poll]\ninterval = 5\n");
  EXPECT_NE(e.find("test.toml:2:12: poll.interval: expected a duration string"), std::string::npos) << e;
}

TEST(Config, DuplicateTargetNamesAreAnError) {
  std::string e = error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\n[[targets]]\nname = \"a\"\ndsn = \"host=y\"\n");
  EXPECT_EQ(e, "test.toml:5:8: targets.name: duplicate target name \"a\"");
}

TEST(Config, UnknownKeyInsideTargetAndApplication) {
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\npasword = \"x\"\n"),
            "test.toml:4:1: targets.pasword: unknown key");
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\n[[targets.applications]]\nname = \"w\"\n"
                     "pool = 3\n"),
            "test.toml:6:1: targets.applications.pool: unknown key");
}

TEST(Config, TimeoutLongerThanIntervalIsAnError) {
  std::string e = error_of("[poll]\ninterval = \"1s\"\ntimeout = \"2s\"\n");
  EXPECT_NE(e.find("poll.timeout: must not exceed poll.interval"), std::string::npos) << e;
}

TEST(Config, ThresholdOrderIsChecked) {
  std::string e = error_of("[thresholds]\nconnections_warning = 20\nconnections_critical = 10\n");
  EXPECT_NE(e.find("connections_warning must not exceed connections_critical"), std::string::npos) << e;
  e = error_of("[thresholds]\nutilization_warning = 1.5\n");
  EXPECT_NE(e.find("test.toml:2:23: thresholds.utilization_warning: must be between"), std::string::npos) << e;
}

TEST(Config, SyntaxErrorsCarryPosition) {
  std::string e = error_of("[poll\ninterval = \"5s\"\n");
  EXPECT_EQ(e.rfind("test.toml:1:", 0), 0u) << e;
}

TEST(Config, InvalidDsnNeverEchoesThePassword) {
  std::string e = error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x password=hunter2 bogus=1\"\n");
  EXPECT_NE(e.find("targets.dsn: invalid dsn"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
}

TEST(Config, MissingTargetsAndBadNames) {
  EXPECT_NE(error_of("[web]\nlisten_address = \"127.0.0.1:1\"\n").find("at least one [[targets]]"), std::string::npos);
  EXPECT_NE(error_of("[[targets]]\nname = \"a b\"\ndsn = \"host=x\"\n").find("test.toml:2:8: targets.name"),
            std::string::npos);
  EXPECT_NE(error_of("[[targets]]\nname = \"a\"\n").find("targets.dsn: target \"a\" needs a dsn"), std::string::npos);
}

TEST(Config, FromEnvironment) {
  ::setenv("DATABASE_URL", "postgresql://u:pw@127.0.0.1:1/db", 1);
  Config c = pgconn::config::from_environment();
  ASSERT_EQ(c.targets.size(), 1u);
  EXPECT_EQ(c.targets[0].name, "default");
  EXPECT_EQ(c.targets[0].dsn, "postgresql://u:pw@127.0.0.1:1/db");
  ::unsetenv("DATABASE_URL");
  ::setenv("PGCONN_DSN", "host=127.0.0.1", 1);
  EXPECT_EQ(pgconn::config::from_environment().targets[0].dsn, "host=127.0.0.1");
  ::unsetenv("PGCONN_DSN");
  EXPECT_THROW(pgconn::config::from_environment(), ConfigError);
}

TEST(Config, PoolerTargetsAndDeclaredPoolers) {
  Config c = parse("[[targets]]\nname = \"main\"\ndsn = \"host=db\"\n"
                   "[targets.pooler]\npool_mode = \"session\"\npool_size = 15\nmax_client_connections = 200\n"
                   "[[targets]]\nname = \"bouncer\"\nkind = \"pgbouncer\"\ndsn = \"host=pb dbname=pgbouncer\"\n"
                   "server_target = \"main\"\n",
                   "t.toml");
  ASSERT_EQ(c.targets.size(), 2u);
  ASSERT_TRUE(c.targets[0].pooler.has_value());
  EXPECT_EQ(c.targets[0].pooler->pool_mode, "session");
  EXPECT_EQ(c.targets[1].kind, pgconn::config::TargetKind::pgbouncer);
  EXPECT_EQ(c.targets[1].server_target, "main");
}

TEST(Config, PoolerMistakesAreErrors) {
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\nkind = \"mysql\"\n"),
            "test.toml:4:8: targets.kind: must be \"postgres\" or \"pgbouncer\"");
  EXPECT_EQ(error_of("[[targets]]\nname = \"b\"\nkind = \"pgbouncer\"\ndsn = \"host=x\"\nserver_target = \"nope\"\n"),
            "test.toml:5:17: targets.server_target: no postgres target named \"nope\"");
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\nserver_target = \"a\"\n"),
            "test.toml:4:17: targets.server_target: only a pgbouncer target has a server_target");
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\n[targets.pooler]\npool_mode = \"fast\"\n"),
            "test.toml:5:13: targets.pooler.pool_mode: must be session, transaction or statement");
}

// check-config refuses what cannot work (exit 2), at the key's own line.
TEST(Config, RefusesWhatCannotWork) {
  const std::string target = "[[targets]]\nname = \"a\"\ndsn = \"host=x\"\n";
  for (const char* address : {"nonsense", ":0", ":99999", "127.0.0.1:", "::1:9188", "[nothex]:1", "a b:1"}) {
    std::string e = error_of("[web]\nlisten_address = \"" + std::string(address) + "\"\n" + target);
    EXPECT_EQ(e.rfind("test.toml:2:18: web.listen_address: ", 0), 0u) << address << ": " << e;
  }
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"\"\n"),
            "test.toml:3:7: targets.dsn: invalid dsn: is empty: libpq would silently connect with its defaults");
  EXPECT_EQ(error_of("[poll]\ninterval = \"1s\"\ntimeout = \"1000h\"\n" + target),
            "test.toml:3:11: poll.timeout: must be between 100ms and 10m");
  EXPECT_EQ(error_of("[poll]\ninterval = \"48h\"\n" + target), "test.toml:2:12: poll.interval: must be between 100ms and 24h");
  EXPECT_EQ(error_of("[poll]\ninterval = \"1s\"\n\ntimeout = \"2s\"\n" + target),
            "test.toml:4:11: poll.timeout: must not exceed poll.interval (1s)");
  EXPECT_EQ(error_of("[poll]\n\ninterval = \"1s\"\n" + target),
            "test.toml:3:12: poll.interval: must be at least poll.timeout (3s)");
  EXPECT_EQ(error_of("[thresholds]\nconnections_warning = 5\n\nconnections_critical = 4\n" + target),
            "test.toml:2:23: thresholds.connections_warning: connections_warning must not exceed connections_critical");
  EXPECT_EQ(error_of("[thresholds]\n\nutilization_critical = 0.5\n" + target),
            "test.toml:3:24: thresholds.utilization_critical: utilization_warning must not exceed utilization_critical");
  EXPECT_EQ(error_of("[[targets]]\nname = \"a\"\ndsn = \"host=x\"\n[targets.thresholds]\n\nutilization_warning = 0.99\n"),
            "test.toml:6:23: targets.thresholds.utilization_warning: utilization_warning must not exceed "
            "utilization_critical");
  EXPECT_EQ(error_of(target + "password_file = \"/tmp\"\n"),
            "test.toml:4:17: targets.password_file: /tmp: the file is a directory");
  EXPECT_EQ(error_of(target + "password_file = \"/dev/null\"\n"),
            "test.toml:4:17: targets.password_file: /dev/null: the file is not a regular file");
  try {
    pgconn::config::load("/tmp");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/tmp:0:0: (file): is a directory, not a configuration file");
  }
}
