// The /metrics and /probe bodies, assembled per scrape from text cached per
// target: each target's families are serialized once per publication (a
// poll, or a reload that judged it again) and reused by every scrape until
// the next; only pgconn_snapshot_age_seconds, which depends on the time of
// the scrape, is formatted per scrape. Live families (the exporter's own,
// each target's pool) are serialized again only when their values changed.
// A gzip body is one gzip member joined from the same pieces compressed
// apart (text/gzip.h): each cached piece is compressed once, by the first
// gzip body that sends it (http::Routes::prepare_gzip builds them after each
// poll), and only the per-scrape text is compressed per scrape.
#pragma once

#include <prometheus/metric_family.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/assessment.h"

namespace pgconn::render {

enum class Encoding { identity, gzip };

// One body: pieces of cached text in output order plus the few formatted for
// this scrape, as text or as one gzip member that decompresses to it.
// Immutable, and it keeps alive what its pieces point into, so it can be
// sent while the cache moves on.
class MetricsText {
 public:
  size_t size() const;
  std::string str() const;
  Encoding encoding() const { return encoding_; }
  // The body in order; valid while this MetricsText lives.
  const std::vector<std::string_view>& pieces() const { return pieces_; }

 private:
  friend class MetricsTextAssembly;
  std::vector<std::shared_ptr<const void>> keep_alive_;
  std::deque<std::string> rendered_now_;
  std::vector<std::string_view> pieces_;
  Encoding encoding_ = Encoding::identity;
};

// One target as the cache takes it: what it published, and its pool's
// families collected now (empty for a pgbouncer target).
struct TargetSource {
  model::Published published;
  std::vector<prometheus::MetricFamily> pool;
};

// The text equals serialize() of the families in order: for /metrics the
// exporter's own, every target's (target_metrics), every target's pool; for
// /probe one target's and its pool's. Thread-safe.
class MetricsTextCache {
 public:
  std::shared_ptr<const MetricsText> metrics(const std::vector<prometheus::MetricFamily>& exporter,
                                             const std::vector<TargetSource>& targets, double now_unix,
                                             Encoding encoding = Encoding::identity);
  std::shared_ptr<const MetricsText> probe(const TargetSource& target, double now_unix,
                                           Encoding encoding = Encoding::identity);

  struct Entry;       // one target's serialized families (metrics_text.cpp)
  struct LiveFamily;  // one live family and its text
  using LiveFamilies = std::vector<std::shared_ptr<const LiveFamily>>;

 private:
  struct Cached {
    std::shared_ptr<const Entry> entry;
    LiveFamilies pool;
  };
  // Brings the target's cached text in line with `source`, under mutex_.
  Cached& refresh_locked(const TargetSource& source);

  std::mutex mutex_;
  std::map<std::string, Cached> targets_;  // by target name
  LiveFamilies exporter_;
};

}  // namespace pgconn::render
