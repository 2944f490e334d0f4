#include "render/families.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "text/format.h"

namespace pgconn::render {
namespace {

std::string key_of(const prometheus::ClientMetric& m) {
  std::string key;
  for (const auto& l : m.label) key += l.name + '\0' + l.value + '\0';
  return key;
}

}  // namespace

// Prometheus refuses a whole scrape for one label value that is not UTF-8,
// so values are made valid. Two names that differ only in their invalid
// bytes (a SQL_ASCII database allows "db\xfe" and "db\xfd"), or one of them
// and a name holding U+FFFD itself, would then be one series twice, and
// Prometheus keeps one of them: the later ones get " #2", " #3", ... on the
// value that was changed (or, for the literal one, on the value holding
// U+FFFD). Such a collision needs U+FFFD in a value, so only those label
// sets are remembered.
prometheus::ClientMetric Families::metric(const std::string& family, const Labels& labels) {
  static const std::string kReplacement = "\xef\xbf\xbd";
  prometheus::ClientMetric m;
  int changed = -1, replaced = -1;
  for (const auto& [name, value] : labels) {
    std::string valid = text::valid_utf8(value);
    int index = static_cast<int>(m.label.size());
    if (valid != value && changed < 0) changed = index;
    if (valid.find(kReplacement) != std::string::npos && replaced < 0) replaced = index;
    m.label.push_back({name, std::move(valid)});
  }
  if (replaced < 0) return m;
  auto& seen = series_[family];
  std::string key = key_of(m);
  std::string& value = m.label[static_cast<size_t>(changed >= 0 ? changed : replaced)].value;
  const std::string base = value;
  for (int n = 2; seen.count(key); ++n) {
    value = base + " #" + std::to_string(n);
    key = key_of(m);
  }
  seen.insert(std::move(key));
  return m;
}

prometheus::MetricFamily& Families::family(const std::string& name, const std::string& help,
                                           prometheus::MetricType type) {
  auto it = index_.find(name);
  if (it != index_.end()) return families_[it->second];
  index_[name] = families_.size();
  families_.push_back(prometheus::MetricFamily{name, help, type, {}});
  return families_.back();
}

void Families::gauge(const std::string& name, const std::string& help, const Labels& labels, double value) {
  auto m = metric(name, labels);
  m.gauge.value = value;
  family(name, help, prometheus::MetricType::Gauge).metric.push_back(std::move(m));
}

void Families::counter(const std::string& name, const std::string& help, const Labels& labels, double value) {
  auto m = metric(name, labels);
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
  series_.clear();
  return std::move(families_);
}

std::string serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace pgconn::render
