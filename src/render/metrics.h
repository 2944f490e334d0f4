// Published snapshots and assessments -> Prometheus families. Pure: the same
// inputs give the same text. Every value is read off the assessment (or,
// for raw counts, its snapshot): nothing is judged here.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "model/assessment.h"
#include "model/exporter_info.h"

namespace pgconn::render {

std::vector<prometheus::MetricFamily> exporter_metrics(const model::ExporterInfo& info);
// The targets' families, one family per name across them.
std::vector<prometheus::MetricFamily> target_metrics(const std::vector<model::Published>& targets, double now_unix);

// The only family whose value depends on the time of the scrape.
inline constexpr const char* kSnapshotAgeFamily = "pgconn_snapshot_age_seconds";

}  // namespace pgconn::render
