// Snapshots -> Prometheus families. Pure: the same inputs give the same text.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
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
  std::vector<std::pair<std::string, uint64_t>> http_rejections;  // reason -> count
};

std::vector<prometheus::MetricFamily> exporter_metrics(const ExporterInfo& info);
std::vector<prometheus::MetricFamily> target_metrics(const std::vector<TargetView>& targets, double now_unix,
                                                     size_t max_applications);

// The only family whose value depends on the time of the scrape.
inline constexpr const char* kSnapshotAgeFamily = "pgconn_snapshot_age_seconds";

}  // namespace pgconn::render
