// Collects a pool's log lines so tests can assert on them.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "pool/pool.h"

namespace pooltest {

class LogCapture {
 public:
  pgconn::pool::LogFunction function() {
    return [this](pgconn::pool::LogLevel, const std::string& line) {
      std::lock_guard<std::mutex> guard(mu_);
      lines_.push_back(line);
    };
  }
  int count(const std::string& needle) const {
    std::lock_guard<std::mutex> guard(mu_);
    int n = 0;
    for (const auto& line : lines_) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace pooltest
