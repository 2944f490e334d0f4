// Collects samples into prometheus-cpp MetricFamily values, one family per
// name across all targets (the text format forbids repeating a family).
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace pgconn::render {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Families {
 public:
  void gauge(const std::string& name, const std::string& help, const Labels& labels, double value);
  void counter(const std::string& name, const std::string& help, const Labels& labels, double value);
  // Appends another set of families (e.g. the exporter's own pools).
  void add(std::vector<prometheus::MetricFamily> families);
  std::vector<prometheus::MetricFamily> take();

 private:
  prometheus::MetricFamily& family(const std::string& name, const std::string& help, prometheus::MetricType type);
  prometheus::ClientMetric metric(const std::string& family, const Labels& labels);
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::set<std::string>> series_;  // family -> label sets holding U+FFFD so far
};

std::string serialize(const std::vector<prometheus::MetricFamily>& families);

}  // namespace pgconn::render
