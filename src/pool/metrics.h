// Prometheus rendering of PoolStats. Pool::collectable() uses it once per
// scrape; it is public so a service can render a snapshot it already holds.
#pragma once

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "pool/stats.h"

namespace pgconn::pool {

// Every pgconn_pool_* family; `labels` are put first on every series
// (Pool passes pool="<name>" followed by PoolOptions::metric_labels).
std::vector<prometheus::MetricFamily> to_metric_families(
    const PoolStats& stats, const std::vector<prometheus::ClientMetric::Label>& labels);

}  // namespace pgconn::pool
