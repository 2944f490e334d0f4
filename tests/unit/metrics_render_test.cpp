#include <gtest/gtest.h>

#include <cmath>

#include "gunzip.h"
#include "render/families.h"
#include "render/metrics.h"
#include "render/metrics_text.h"
#include "sample_snapshot.h"

using namespace pgconn;
using namespace pgconn::model;

namespace {

// Finds one sample line's value in serialized text; NaN when absent.
double value_of(const std::string& text, const std::string& series) {
  size_t pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return std::nan("");
  return std::stod(text.substr(pos + series.size() + 2));
}

std::string render_text(const config::Target& target, SnapshotPtr snap, double now = 1003,
                        model::Cardinality caps = {}) {
  return render::serialize(render::target_metrics({publish(std::move(snap), target, caps)}, now));
}

config::Target main_target() {
  config::Target t;
  t.name = "main";
  t.applications.push_back({"worker", 2, 3, 2});  // capacity 2 x (2+3) = 10, base 4
  return t;
}

}  // namespace

TEST(MetricsRender, UsageAndLimits) {
  auto target = main_target();
  std::string text = render_text(target, std::make_shared<const Snapshot>(sample::sample_snapshot()));
  EXPECT_EQ(value_of(text, "pgconn_up{target=\"main\"}"), 1);
  EXPECT_EQ(value_of(text, "pgconn_server_max_connections{target=\"main\"}"), 20);
  EXPECT_EQ(value_of(text, "pgconn_server_reserved_connections{target=\"main\"}"), 3);
  EXPECT_EQ(value_of(text, "pgconn_connection_limit{target=\"main\"}"), 17);
  EXPECT_EQ(value_of(text, "pgconn_connections_used{target=\"main\"}"), 12);
  EXPECT_EQ(value_of(text, "pgconn_connections_available{target=\"main\"}"), 5);
  EXPECT_NEAR(value_of(text, "pgconn_connections_utilization_ratio{target=\"main\"}"), 12.0 / 17, 1e-9);
  EXPECT_EQ(value_of(text, "pgconn_connections{target=\"main\",state=\"idle\"}"), 8);
  EXPECT_EQ(value_of(text, "pgconn_connections{target=\"main\",state=\"idle_in_transaction\"}"), 2);
  EXPECT_EQ(value_of(text, "pgconn_connections{target=\"main\",state=\"disabled\"}"), 0);
  EXPECT_EQ(value_of(text, "pgconn_database_connection_limit{target=\"main\",datname=\"app\"}"), 5);
  EXPECT_TRUE(std::isnan(value_of(text, "pgconn_database_connection_limit{target=\"main\",datname=\"postgres\"}")));
  EXPECT_EQ(value_of(text, "pgconn_snapshot_age_seconds{target=\"main\"}"), 3);
  EXPECT_EQ(value_of(text, "pgconn_database_sessions_abandoned_total{target=\"main\",datname=\"postgres\"}"), 2);
  EXPECT_EQ(value_of(text, "pgconn_backends{target=\"main\",backend_type=\"autovacuum launcher\"}"), 1);
}

TEST(MetricsRender, ConfiguredLimitIsTheBudget) {
  auto target = main_target();
  target.connection_limit = 10;
  std::string text = render_text(target, std::make_shared<const Snapshot>(sample::sample_snapshot()));
  EXPECT_EQ(value_of(text, "pgconn_connection_limit{target=\"main\"}"), 10);
  EXPECT_EQ(value_of(text, "pgconn_connections_available{target=\"main\"}"), 0);
  EXPECT_NEAR(value_of(text, "pgconn_connections_utilization_ratio{target=\"main\"}"), 1.2, 1e-9);
}

TEST(MetricsRender, ApplicationsLeaksAndDeclaredPools) {
  auto target = main_target();
  std::string text = render_text(target, std::make_shared<const Snapshot>(sample::sample_snapshot()));
  EXPECT_EQ(value_of(text, "pgconn_application_connections{target=\"main\",application_name=\"web\",state=\"idle\"}"), 5);
  EXPECT_EQ(value_of(text, "pgconn_application_connections{target=\"main\",application_name=\"unnamed\",state=\"idle\"}"),
            3);
  EXPECT_EQ(value_of(text, "pgconn_leak_suspect_connections{target=\"main\",application_name=\"worker\",reason="
                         "\"idle_in_transaction\"}"),
            2);
  EXPECT_EQ(value_of(text, "pgconn_oldest_idle_in_transaction_age_seconds{target=\"main\"}"), 120);
  EXPECT_EQ(value_of(text, "pgconn_oldest_transaction_age_seconds{target=\"main\"}"), 125);
  EXPECT_EQ(value_of(text, "pgconn_application_pool_capacity_connections{target=\"main\",application_name=\"worker\"}"),
            10);
  EXPECT_EQ(value_of(text, "pgconn_application_pool_base_connections{target=\"main\",application_name=\"worker\"}"), 4);
  EXPECT_EQ(value_of(text, "pgconn_application_pool_overflow_connections{target=\"main\",application_name=\"worker\"}"),
            0);
  EXPECT_NEAR(value_of(text, "pgconn_application_pool_utilization_ratio{target=\"main\",application_name=\"worker\"}"),
              0.2, 1e-9);
  EXPECT_EQ(value_of(text, "pgconn_declared_capacity_connections{target=\"main\"}"), 10);
}

TEST(MetricsRender, ApplicationCardinalityIsCapped) {
  config::Target target;
  target.name = "main";
  Snapshot snap = sample::sample_snapshot();
  ServerStats stats = *snap.stats;
  for (int i = 0; i < 10; ++i) stats.activity.push_back(sample::row("app" + std::to_string(i), "idle", 1));
  snap.stats = std::make_shared<const ServerStats>(stats);
  std::string text = render_text(target, std::make_shared<const Snapshot>(snap), 1003, {3, 50});
  // web (6), unnamed (3), worker (2) keep their names; everything else is "other".
  EXPECT_EQ(value_of(text, "pgconn_application_connections{target=\"main\",application_name=\"other\",state=\"idle\"}"), 10);
  EXPECT_EQ(value_of(text, "pgconn_application_connections{target=\"main\",application_name=\"other\",state=\"active\"}"),
            1);
  EXPECT_EQ(text.find("application_name=\"app3\""), std::string::npos);
}

TEST(MetricsRender, DownTargetKeepsLastDataAndCountsErrors) {
  auto target = main_target();
  Snapshot snap = sample::sample_snapshot();
  snap.up = false;
  snap.last_error = ErrorKind::too_many_connections;
  snap.poll_errors_total[ErrorKind::too_many_connections] = 3;
  std::string text = render_text(target, std::make_shared<const Snapshot>(snap), 1030);
  EXPECT_EQ(value_of(text, "pgconn_up{target=\"main\"}"), 0);
  EXPECT_EQ(value_of(text, "pgconn_poll_errors_total{target=\"main\",reason=\"too_many_connections\"}"), 3);
  EXPECT_EQ(value_of(text, "pgconn_poll_errors_total{target=\"main\",reason=\"auth\"}"), 0);
  EXPECT_EQ(value_of(text, "pgconn_snapshot_age_seconds{target=\"main\"}"), 30);
  EXPECT_EQ(value_of(text, "pgconn_connections_used{target=\"main\"}"), 12);
}

TEST(MetricsRender, NeverPolledTargetShowsDownAndThresholds) {
  config::Target target;
  target.name = "fresh";
  target.thresholds.connections_warning = 12;
  Snapshot never;  // before its first poll
  never.target = "fresh";
  std::string text = render_text(target, std::make_shared<const Snapshot>(never));
  EXPECT_EQ(value_of(text, "pgconn_up{target=\"fresh\"}"), 0);
  EXPECT_EQ(value_of(text, "pgconn_threshold_connections_warning{target=\"fresh\"}"), 12);
  EXPECT_EQ(value_of(text, "pgconn_threshold_utilization_warning_ratio{target=\"fresh\"}"), 0.8);
  EXPECT_EQ(text.find("pgconn_connections_used"), std::string::npos);
}

TEST(MetricsRender, OneFamilyPerNameAcrossTargets) {
  config::Target a, b;
  a.name = "a";
  b.name = "b";
  std::string text = render::serialize(render::target_metrics(
      {sample::published(sample::sample_snapshot("a"), a), sample::published(sample::sample_snapshot("b"), b)}, 1003));
  size_t first = text.find("# TYPE pgconn_up gauge");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("# TYPE pgconn_up gauge", first + 1), std::string::npos);
  EXPECT_EQ(value_of(text, "pgconn_up{target=\"b\"}"), 1);
}

// The cache gives the same text as rendering everything per scrape, follows
// new publications, and renders the snapshot age at the time of each scrape.
TEST(MetricsRender, CachedTextEqualsFullRender) {
  config::Target a, b, c;
  a.name = "a";
  b.name = "b";
  b.applications.push_back({"worker", 2, 3, 2});
  c.name = "c";
  Snapshot never;  // c before its first poll
  never.target = "c";
  ExporterInfo info{"1.2.3", true, 1000, {}};
  std::vector<prometheus::MetricFamily> pool = render::exporter_metrics(info);  // any live families: b's pool
  pool[0].name = "pgconn_live_test";
  std::vector<render::TargetSource> sources{{sample::published(sample::sample_snapshot("a"), a), {}},
                                            {sample::published(sample::sample_snapshot("b"), b), pool},
                                            {sample::published(never, c), {}}};
  auto full = [&](double now) {
    render::Families f;
    f.add(render::exporter_metrics(info));
    std::vector<Published> published;
    for (const auto& s : sources) published.push_back(s.published);
    f.add(render::target_metrics(published, now));
    for (const auto& s : sources) f.add(s.pool);
    return render::serialize(f.take());
  };
  render::MetricsTextCache cache;
  EXPECT_EQ(cache.metrics(render::exporter_metrics(info), sources, 1003)->str(), full(1003));
  // Cached: only the age follows the clock.
  std::string later = cache.metrics(render::exporter_metrics(info), sources, 1010.5)->str();
  EXPECT_EQ(later, full(1010.5));
  EXPECT_NE(later, full(1003));
  // A new snapshot replaces the cached text of its target.
  Snapshot down = sample::sample_snapshot("b");
  down.up = false;
  sources[1].published = sample::published(down, b);
  EXPECT_EQ(cache.metrics(render::exporter_metrics(info), sources, 1011)->str(), full(1011));
  // A live family is serialized again when one of its values changes.
  sources[1].pool[1].metric[0].gauge.value = 0;
  std::string changed = cache.metrics(render::exporter_metrics(info), sources, 1011)->str();
  EXPECT_EQ(changed, full(1011));
  EXPECT_NE(changed.find("pgconn_config_last_reload_successful 0\n"), std::string::npos);
  // A target a reload removed is gone.
  sources.pop_back();
  EXPECT_EQ(cache.metrics(render::exporter_metrics(info), sources, 1012)->str(), full(1012));
  // /probe is the same cached text, one target's families and its pool's.
  render::Families one;
  one.add(render::target_metrics({sources[1].published}, 1012));
  one.add(sources[1].pool);
  EXPECT_EQ(cache.probe(sources[1], 1012)->str(), render::serialize(one.take()));
}

// 30 sample targets t0 ... t29, without pools: a body of many pieces.
std::vector<render::TargetSource> thirty_targets() {
  std::vector<render::TargetSource> sources;
  for (int i = 0; i < 30; ++i) {
    config::Target target;
    target.name = "t" + std::to_string(i);
    sources.push_back({sample::published(sample::sample_snapshot(target.name), target), {}});
  }
  return sources;
}

// /metrics is sent piece by piece from the cache: the pieces add up to the text.
TEST(MetricsRender, PiecesAddUpToTheText) {
  std::vector<render::TargetSource> sources = thirty_targets();
  render::MetricsTextCache cache;
  auto text = cache.metrics({}, sources, 1003.25);
  const std::string whole = text->str();
  ASSERT_EQ(text->size(), whole.size());
  ASSERT_GT(whole.size(), 8u * 1024);
  std::string joined;
  for (auto piece : text->pieces()) joined += piece;
  EXPECT_EQ(joined, whole);
  EXPECT_NE(whole.find("pgconn_snapshot_age_seconds{target=\"t7\"} 3.25\n"), std::string::npos);
}

// A gzip body is one member joined from pieces compressed apart: it
// decompresses to the text, and a second scrape reuses every cached piece
// (only the ages and the trailer are new).
TEST(MetricsRender, GzipMembersDecompressToTheTextAndAreReused) {
  std::vector<render::TargetSource> sources = thirty_targets();
  ExporterInfo info{"1.2.3", true, 1000, {}};
  render::MetricsTextCache cache;
  auto first = cache.metrics(render::exporter_metrics(info), sources, 1003.25, render::Encoding::gzip);
  EXPECT_EQ(first->encoding(), render::Encoding::gzip);
  EXPECT_EQ(pgtest::gunzip(first->str()), cache.metrics(render::exporter_metrics(info), sources, 1003.25)->str());
  EXPECT_LT(first->size(), cache.metrics(render::exporter_metrics(info), sources, 1003.25)->size() / 2);
  auto second = cache.metrics(render::exporter_metrics(info), sources, 1009, render::Encoding::gzip);
  EXPECT_EQ(pgtest::gunzip(second->str()), cache.metrics(render::exporter_metrics(info), sources, 1009)->str());
  ASSERT_EQ(first->pieces().size(), second->pieces().size());
  size_t fresh = 0;
  for (size_t i = 0; i < first->pieces().size(); ++i) fresh += first->pieces()[i].data() != second->pieces()[i].data();
  EXPECT_EQ(fresh, 2u);  // the ages of all 30 targets, and the trailer
  // /probe: one target's members, the same for its cached pieces.
  auto probe = cache.probe(sources[3], 1009, render::Encoding::gzip);
  EXPECT_EQ(pgtest::gunzip(probe->str()), cache.probe(sources[3], 1009)->str());
}

// The thresholds the target is judged with, for alert rules to join on.
TEST(MetricsRender, ThresholdGaugesCarryConfiguredValues) {
  config::Target target;
  target.name = "main";
  target.thresholds.connections_warning = 12;
  std::string text = render_text(target, std::make_shared<const Snapshot>(sample::sample_snapshot()));
  size_t gauges = 0;
  for (size_t pos = 0; (pos = text.find("# TYPE pgconn_threshold_", pos)) != std::string::npos; ++pos) ++gauges;
  EXPECT_EQ(gauges, 5u);  // no critical count configured
  EXPECT_EQ(value_of(text, "pgconn_threshold_connections_warning{target=\"main\"}"), 12);
}
