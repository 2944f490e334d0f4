// Snapshots -> Prometheus families. Pure: the same inputs give the same text.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "snapshot.h"

namespace pgconn::render {

struct TargetView {
  const config::Target* target;
  SnapshotPtr snapshot;  // may be null before the first poll finished
};

struct ExporterInfo {
  std::string version;
  bool last_reload_successful = true;
  double last_reload_unix = 0;
};

std::vector<prometheus::MetricFamily> exporter_metrics(const ExporterInfo& info);
std::vector<prometheus::MetricFamily> target_metrics(const std::vector<TargetView>& targets, double now_unix,
                                                     size_t max_applications);

// The /metrics text, rendered incrementally: each target's samples are
// serialized once per snapshot (a poll publishes a new one) and reused by
// every scrape until the next poll; only pgconn_snapshot_age_seconds, which
// depends on the time of the scrape, is rendered per scrape. The result is
// the text serialize() gives for head + target_metrics(targets) + tail.
// `config` owns the targets (entries are dropped when it changes). Thread-safe.
class MetricsTextCache {
 public:
  std::string render(const std::vector<prometheus::MetricFamily>& head, std::shared_ptr<const void> config,
                     const std::vector<TargetView>& targets, double now_unix, size_t max_applications,
                     const std::vector<prometheus::MetricFamily>& tail);

  // One family's part of one target: serialized header and sample lines.
  struct Part {
    std::string name;
    std::string header;   // "# HELP ...\n# TYPE ...\n"
    std::string samples;  // empty for the age family, rendered per scrape
    bool snapshot_age = false;
    prometheus::MetricFamily live;  // the age family, for a fresh value
  };
  struct Entry {
    const config::Target* target = nullptr;
    SnapshotPtr snapshot;
    std::vector<Part> parts;
  };

 private:
  std::mutex mutex_;
  std::shared_ptr<const void> config_;
  std::vector<std::shared_ptr<const Entry>> entries_;  // by target position
};

}  // namespace pgconn::render
