// What the exporter knows of itself, for its own families on /metrics.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pgconn::model {

struct ExporterInfo {
  std::string version;
  bool last_reload_successful = true;
  double last_reload_unix = 0;
  std::vector<std::pair<std::string, uint64_t>> http_rejections;  // reason -> count
};

}  // namespace pgconn::model
