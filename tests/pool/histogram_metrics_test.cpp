// Fixed-bucket histograms and the Prometheus families rendered from a pool.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "fake_connection.h"
#include "pool/histogram.h"
#include "pool/metrics.h"

namespace {

using pgconn::pool::detail::FixedHistogram;

TEST(FixedHistogram, BucketsAreInclusiveAndCumulative) {
  FixedHistogram h({0.1, 1.0, 10.0});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0}) h.observe(v);
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative_counts, (std::vector<std::uint64_t>{2, 4, 5}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.sum, 56.65);
}

TEST(FixedHistogram, RejectsUnorderedBounds) {
  EXPECT_THROW(FixedHistogram({1.0, 1.0}), std::invalid_argument);
}

std::string render(const pgconn::pool::Pool& pool) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, pool.collectable()->Collect());
  return out.str();
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(PoolMetrics, RenderedFromOneSnapshotWithConstantLabels) {
  auto world = std::make_shared<pooltest::FakeWorld>();
  auto options = pooltest::fake_options(world);
  options.name = "main";
  options.metric_labels = {{"target", "db1"}};
  options.pool_size = 1;
  options.max_overflow = 3;
  auto pool = pooltest::make_fake_pool(world, options);
  auto a = pool->acquire();
  auto b = pool->acquire();
  auto c = pool->acquire();
  c.release();  // idle 1, in use 2
  b.release();  // overflow: closed

  const std::string text = render(*pool);
  const std::string l = "pool=\"main\",target=\"db1\"";
  EXPECT_TRUE(has_line(text, "pgconn_pool_connections{" + l + ",state=\"idle\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "pgconn_pool_connections{" + l + ",state=\"in_use\"} 1"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_connections{" + l + ",state=\"opening\"} 0"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_size_connections{" + l + "} 1"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_max_connections{" + l + "} 4"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_overflow_connections{" + l + "} 1"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_utilization_ratio{" + l + "} 0.25"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_pending_requests{" + l + "} 0"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_suspected_leaks{" + l + "} 0"));
  EXPECT_TRUE(has_line(text, "# TYPE pgconn_pool_acquires_total counter"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_acquires_total{" + l + ",result=\"ok\"} 3"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_acquires_total{" + l + ",result=\"timeout\"} 0"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_connections_opened_total{" + l + "} 3"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_connections_closed_total{" + l + ",reason=\"overflow\"} 1"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_connections_closed_total{" + l + ",reason=\"shutdown\"} 0"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_pre_pings_total{" + l + ",result=\"failed\"} 0"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_leaks_detected_total{" + l + "} 0"));
  EXPECT_TRUE(has_line(text, "# TYPE pgconn_pool_acquire_duration_seconds histogram"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_acquire_duration_seconds_count{" + l + "} 3"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_acquire_duration_seconds_bucket{" + l + ",le=\"+Inf\"} 3"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_use_duration_seconds_count{" + l + "} 2"));
  EXPECT_TRUE(has_line(text, "pgconn_pool_connect_duration_seconds_count{" + l + "} 3"));
  // One +Inf bucket per histogram, not a duplicate added by the serializer.
  std::size_t inf = 0;
  for (auto pos = text.find("le=\"+Inf\""); pos != std::string::npos;
       pos = text.find("le=\"+Inf\"", pos + 1)) {
    ++inf;
  }
  EXPECT_EQ(inf, 3u);
}

TEST(PoolMetrics, SerializesAlongsideARegistry) {
  // prometheus-cpp 1.0.1's Registry cannot hold a foreign Collectable (only
  // Exposer::RegisterCollectable can), so a service without an Exposer
  // appends the pool's families to its registry's.
  auto world = std::make_shared<pooltest::FakeWorld>();
  auto pool = pooltest::make_fake_pool(world, pooltest::fake_options(world));
  prometheus::Registry registry;
  auto held = pool->acquire();
  auto families = registry.Collect();
  auto pool_families = pool->collectable()->Collect();
  ASSERT_EQ(pool_families.size(), 16u);
  EXPECT_EQ(pool_families[0].name, "pgconn_pool_connections");
  EXPECT_EQ(pool_families[0].metric[1].gauge.value, 1.0);  // in_use
  families.insert(families.end(), pool_families.begin(), pool_families.end());
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  EXPECT_NE(out.str().find("pgconn_pool_connections{pool=\"fake\",state=\"in_use\"} 1"),
            std::string::npos);
}

}  // namespace
