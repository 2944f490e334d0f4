#include "render/families.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "text/format.h"

namespace pgconn::render {
namespace {

prometheus::ClientMetric metric(const Labels& labels) {
  prometheus::ClientMetric m;
  // Prometheus refuses a whole scrape for one label value that is not UTF-8.
  for (const auto& [name, value] : labels) m.label.push_back({name, text::valid_utf8(value)});
  return m;
}

}  // namespace

prometheus::MetricFamily& Families::family(const std::string& name, const std::string& help,
                                           prometheus::MetricType type) {
  auto it = index_.find(name);
  if (it != index_.end()) return families_[it->second];
  index_[name] = families_.size();
  families_.push_back(prometheus::MetricFamily{name, help, type, {}});
  return families_.back();
}

void Families::gauge(const std::string& name, const std::string& help, const Labels& labels, double value) {
  auto m = metric(labels);
  m.gauge.value = value;
  family(name, help, prometheus::MetricType::Gauge).metric.push_back(std::move(m));
}

void Families::counter(const std::string& name, const std::string& help, const Labels& labels, double value) {
  auto m = metric(labels);
  m.counter.value = value;
  family(name, help, prometheus::MetricType::Counter).metric.push_back(std::move(m));
}

void Families::add(std::vector<prometheus::MetricFamily> families) {
  for (auto& f : families) {
    auto& into = family(f.name, f.help, f.type);
    for (auto& m : f.metric) into.metric.push_back(std::move(m));
  }
}

std::vector<prometheus::MetricFamily> Families::take() {
  index_.clear();
  return std::move(families_);
}

std::string serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace pgconn::render
