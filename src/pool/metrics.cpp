#include "pool/metrics.h"

#include <limits>
#include <string>
#include <utility>

namespace pgconn::pool {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

class Builder {
 public:
  Builder(const Labels& labels, std::vector<MetricFamily>& out) : labels_(labels), out_(out) {}

  MetricFamily& family(const char* name, const char* help, MetricType type) {
    out_.push_back(MetricFamily{name, help, type, {}});
    return out_.back();
  }
  ClientMetric& sample(MetricFamily& family, const char* label = nullptr,
                       const char* value = nullptr) {
    ClientMetric metric;
    metric.label = labels_;
    if (label != nullptr) metric.label.push_back({label, value});
    family.metric.push_back(std::move(metric));
    return family.metric.back();
  }
  void gauge(const char* name, const char* help, double value) {
    sample(family(name, help, MetricType::Gauge)).gauge.value = value;
  }
  void counter(const char* name, const char* help, double value) {
    sample(family(name, help, MetricType::Counter)).counter.value = value;
  }
  void histogram(const char* name, const char* help, const HistogramSnapshot& snap) {
    auto& h = sample(family(name, help, MetricType::Histogram)).histogram;
    h.sample_count = snap.count;
    h.sample_sum = snap.sum;
    for (std::size_t i = 0; i < snap.upper_bounds.size(); ++i) {
      h.bucket.push_back({snap.cumulative_counts[i], snap.upper_bounds[i]});
    }
    h.bucket.push_back({snap.count, std::numeric_limits<double>::infinity()});
  }

 private:
  const Labels& labels_;
  std::vector<MetricFamily>& out_;
};

}  // namespace

std::vector<MetricFamily> to_metric_families(const PoolStats& s, const Labels& labels) {
  std::vector<MetricFamily> out;
  out.reserve(16);
  Builder b(labels, out);

  auto& conns = b.family("pgconn_pool_connections",
                         "Connections of the pool by state (opening: connect in progress).",
                         MetricType::Gauge);
  b.sample(conns, "state", "idle").gauge.value = static_cast<double>(s.idle);
  b.sample(conns, "state", "in_use").gauge.value = static_cast<double>(s.in_use);
  b.sample(conns, "state", "opening").gauge.value = static_cast<double>(s.opening);
  b.gauge("pgconn_pool_size_connections", "Configured pool_size: connections kept when idle.",
          static_cast<double>(s.pool_size));
  b.gauge("pgconn_pool_max_connections", "Hard cap on connections: pool_size + max_overflow.",
          static_cast<double>(s.max_connections));
  b.gauge("pgconn_pool_overflow_connections", "Connections beyond pool_size.",
          static_cast<double>(s.overflow()));
  b.gauge("pgconn_pool_pending_requests", "acquire() calls waiting for a connection.",
          static_cast<double>(s.pending));
  b.gauge("pgconn_pool_oldest_pending_seconds",
          "How long the longest-waiting acquire() call has waited.", s.oldest_pending_seconds);
  b.gauge("pgconn_pool_utilization_ratio", "(in use + opening) / max connections.",
          s.utilization());
  b.gauge("pgconn_pool_suspected_leaks", "Checkouts currently held longer than leak_threshold.",
          static_cast<double>(s.suspected_leaks));

  auto& acquires = b.family("pgconn_pool_acquires_total", "acquire() calls by outcome.",
                            MetricType::Counter);
  b.sample(acquires, "result", "ok").counter.value = static_cast<double>(s.acquires_ok);
  b.sample(acquires, "result", "timeout").counter.value = static_cast<double>(s.acquires_timeout);
  b.sample(acquires, "result", "error").counter.value = static_cast<double>(s.acquires_error);
  b.counter("pgconn_pool_connections_opened_total", "Connections opened by the factory.",
            static_cast<double>(s.connections_opened));
  auto& closed = b.family("pgconn_pool_connections_closed_total", "Connections closed by reason.",
                          MetricType::Counter);
  for (std::size_t i = 0; i < kCloseReasonCount; ++i) {
    const char* reason = to_string(static_cast<CloseReason>(i));
    b.sample(closed, "reason", reason).counter.value = static_cast<double>(s.connections_closed[i]);
  }
  auto& pings = b.family("pgconn_pool_pre_pings_total", "Pre-pings of idle connections by result.",
                         MetricType::Counter);
  b.sample(pings, "result", "ok").counter.value = static_cast<double>(s.pre_pings_ok);
  b.sample(pings, "result", "failed").counter.value = static_cast<double>(s.pre_pings_failed);
  b.counter("pgconn_pool_leaks_detected_total",
            "Checkouts that were held longer than leak_threshold (each counted once).",
            static_cast<double>(s.leaks_detected));

  b.histogram("pgconn_pool_acquire_duration_seconds",
              "Time spent in acquire(), timeouts and errors included.", s.acquire_duration);
  b.histogram("pgconn_pool_use_duration_seconds", "Time from checkout to return.",
              s.use_duration);
  b.histogram("pgconn_pool_connect_duration_seconds", "Time the factory took to connect.",
              s.connect_duration);
  return out;
}

}  // namespace pgconn::pool
