// The /metrics body, assembled per scrape from text cached per target.
#pragma once

#include <prometheus/metric_family.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "render/metrics.h"

namespace pgconn::render {

// One scrape's body: cached pieces of text in output order plus the few
// rendered for this scrape. Immutable, and it keeps alive what its pieces
// point into, so it can be written out while the cache moves on.
class MetricsText {
 public:
  size_t size() const;
  std::string str() const;
  // The body in order; valid while this MetricsText lives.
  const std::vector<std::string_view>& pieces() const { return pieces_; }

 private:
  friend class MetricsTextCache;
  std::vector<std::shared_ptr<const void>> keep_alive_;
  std::deque<std::string> rendered_now_;
  std::vector<std::string_view> pieces_;
};

// Each target's samples are serialized once per snapshot (a poll publishes a
// new one) and reused by every scrape until the next poll; only
// pgconn_snapshot_age_seconds, which depends on the time of the scrape, is
// formatted per scrape. The live families (head, tail: the exporter's own and
// the pools') are serialized again only when their values changed; a pool's
// change with its target's polls. The text equals serialize() of head +
// target_metrics(targets) + tail. `config` owns the targets (entries are
// dropped when it changes). Thread-safe.
class MetricsTextCache {
 public:
  std::shared_ptr<const MetricsText> render(const std::vector<prometheus::MetricFamily>& head,
                                            std::shared_ptr<const void> config,
                                            const std::vector<TargetView>& targets, double now_unix,
                                            size_t max_applications,
                                            const std::vector<prometheus::MetricFamily>& tail);

  struct Entry;       // one target's serialized families (metrics_text.cpp)
  struct LiveFamily;  // one live family and its text
  using LiveFamilies = std::vector<std::shared_ptr<const LiveFamily>>;

 private:
  std::mutex mutex_;
  std::shared_ptr<const void> config_;
  std::vector<std::shared_ptr<const Entry>> entries_;  // by target position
  LiveFamilies head_, tail_;                            // by family position
};

}  // namespace pgconn::render
