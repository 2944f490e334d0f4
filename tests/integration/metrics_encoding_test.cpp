// The /metrics and /probe bodies as Prometheus asks for them (gzip: one
// member joined from cached pieces compressed apart) and which of the exporter's own pool
// series they carry ([metrics] exporter_pool_histograms), against the real
// binary and a real PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>
#include <regex>

#include "eventually.h"
#include "exporter_process.h"
#include "gunzip.h"
#include "pg_server.h"
#include "raw_http.h"

using namespace pgtest;

namespace {

// A long interval: after the first poll nothing changes but the ages, so
// two scrapes in a row must match.
std::string config(const PgServer& server, const std::string& metrics = "") {
  return "[poll]\ninterval = \"60s\"\ntimeout = \"5s\"\n[metrics]\n" + metrics + "\n[[targets]]\nname = \"main\"\n"
         "dsn = \"" + server.url() + "\"\n[[targets]]\nname = \"second\"\ndsn = \"" + server.url() + "\"\n";
}

RawResponse fetch(int port, const std::string& path, bool gzip) {
  RawConnection connection(port, false);
  EXPECT_TRUE(connection.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                              (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n"));
  auto responses = parse_responses(connection.receive(10000));
  return responses.empty() ? RawResponse{} : responses.front();
}

// The text with every pgconn_snapshot_age_seconds value blanked: the age
// follows the clock from one scrape to the next.
std::string without_ages(const std::string& text) {
  static const std::regex age("(\npgconn_snapshot_age_seconds\\{[^}]*\\}) [^\n]*");
  return std::regex_replace(text, age, "$1 AGE");
}

// Plain, gzip, plain: the gzip body must decompress to the plain text when
// the two plain ones agree (a poll in between changes them; retried).
void expect_gzip_matches_plain(const ExporterProcess& exporter, const std::string& path) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    RawResponse before = fetch(exporter.port(), path, false);
    RawResponse zipped = fetch(exporter.port(), path, true);
    RawResponse after = fetch(exporter.port(), path, false);
    ASSERT_EQ(zipped.fields["content-encoding"], "gzip") << zipped.status_line;
    EXPECT_EQ(before.fields.count("content-encoding"), 0u);
    EXPECT_EQ(zipped.fields["vary"], "Accept-Encoding");
    bool ok = false;
    std::string text = gunzip(zipped.body, &ok);
    ASSERT_TRUE(ok) << path << ": not a valid gzip stream";
    if (without_ages(before.body) != without_ages(after.body)) continue;
    EXPECT_EQ(without_ages(text), without_ages(before.body)) << path;
    // Small here (2 targets): most pieces are a few samples, compressed apart.
    EXPECT_LT(zipped.body.size(), before.body.size() * 2 / 3) << path;
    return;
  }
  ADD_FAILURE() << path << ": the plain body changed between every pair of scrapes";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(MetricsEncoding, GzipMetricsAndProbeDecompressToThePlainText) {
  PgServer server;
  ExporterProcess exporter(config(server));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "second"}}, is_one, 10000)) << exporter.logs();
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 10000)) << exporter.logs();
  expect_gzip_matches_plain(exporter, "/metrics");
  expect_gzip_matches_plain(exporter, "/probe?target=second");
  // Twice more: the cached members are sent again, with fresh ages.
  expect_gzip_matches_plain(exporter, "/metrics");
}

TEST(MetricsEncoding, PoolHistogramsOnlyWhenAskedForAndFollowReload) {
  PgServer server;
  ExporterProcess exporter(config(server));
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 10000)) << exporter.logs();
  std::string body = exporter.get("/metrics").body;
  // The pool's health stays; its timings do not.
  EXPECT_TRUE(has(body, "pgconn_pool_connections{pool=\"main\",target=\"main\",state=\"idle\"}")) << body;
  EXPECT_TRUE(has(body, "\npgconn_pool_pending_requests{pool=\"main\",target=\"main\"}"));
  EXPECT_TRUE(has(body, "\npgconn_pool_acquires_total{pool=\"main\",target=\"main\",result=\"ok\"}"));
  EXPECT_FALSE(has(body, "pgconn_pool_acquire_duration_seconds"));
  EXPECT_FALSE(has(body, "pgconn_pool_use_duration_seconds"));
  EXPECT_FALSE(has(body, "pgconn_pool_connect_duration_seconds"));

  exporter.rewrite_config(config(server, "exporter_pool_histograms = true"));
  exporter.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return has(exporter.get("/metrics").body, "pgconn_pool_acquire_duration_seconds"); }))
      << exporter.logs();
  body = exporter.get("/metrics").body;
  EXPECT_TRUE(has(body, "\npgconn_pool_acquire_duration_seconds_bucket{pool=\"main\",target=\"main\","));
  EXPECT_TRUE(has(body, "\npgconn_pool_connect_duration_seconds_count{pool=\"second\",target=\"second\"}"));
  EXPECT_TRUE(has(body, "\npgconn_pool_use_duration_seconds_sum{pool=\"main\",target=\"main\"}"));
  EXPECT_TRUE(has(exporter.get("/probe?target=main").body, "pgconn_pool_use_duration_seconds_bucket"));
  expect_gzip_matches_plain(exporter, "/metrics");

  exporter.rewrite_config(config(server, "exporter_pool_histograms = false"));
  exporter.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return !has(exporter.get("/metrics").body, "_duration_seconds_bucket"); }));
}

// Prometheus scrapes less often than the exporter polls, so each gzip scrape
// would find fresh text to compress: the exporter compresses it after each
// poll instead, off the scrape path, once a gzip body has been asked for.
TEST(MetricsEncoding, GzipBodiesArePreparedAfterEachPollOnceAsked) {
  PgServer server;
  std::string toml = config(server);
  toml.replace(toml.find("\"60s\""), 5, "\"1s\"");
  toml.replace(toml.find("\"5s\""), 4, "\"1s\"");
  ExporterProcess exporter(toml, {{"--log.level=debug"}, {}, true});
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "second"}}, is_one, 10000)) << exporter.logs();
  // Polls go on, but nothing is prepared while nobody asked for gzip.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_FALSE(has(exporter.logs(), "gzip bodies prepared")) << exporter.logs();

  ASSERT_EQ(fetch(exporter.port(), "/metrics", true).fields["content-encoding"], "gzip");
  ASSERT_TRUE(eventually([&] { return has(exporter.logs(), "msg=\"gzip bodies prepared\" metrics=true probe_targets=0"); }))
      << exporter.logs();
  ASSERT_EQ(fetch(exporter.port(), "/probe?target=second", true).fields["content-encoding"], "gzip");
  ASSERT_TRUE(eventually([&] { return has(exporter.logs(), "metrics=true probe_targets=1"); })) << exporter.logs();
  // What scrapes then send is the prepared text, still equal to the plain one.
  expect_gzip_matches_plain(exporter, "/metrics");
  expect_gzip_matches_plain(exporter, "/probe?target=second");
}
