// Requests and connections the front refuses, counted per reason for
// pgconn_http_rejected_requests_total and logged at most once per reason per
// minute (with how many were not logged), so a flood cannot fill the disk.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgconn::http {

class Rejections {
 public:
  // Every reason, so each counter exists (at 0) from the start.
  static constexpr std::array<const char*, 8> kReasons = {
      "bad_request",  "header_timeout", "header_too_large", "method",
      "over_capacity", "tls_handshake", "unauthorized",    "write_timeout"};
  static constexpr std::chrono::seconds kLogInterval{60};

  // `reason` must be one of kReasons; `path` may be empty (no request yet).
  void record(std::string_view reason, int status, const std::string& remote, std::string_view path);
  std::vector<std::pair<std::string, uint64_t>> counts() const;

 private:
  struct Reason {
    std::atomic<uint64_t> count{0};
    std::chrono::steady_clock::time_point last_logged{};
    bool logged = false;
    uint64_t unlogged = 0;
  };
  std::array<Reason, kReasons.size()> reasons_;
  std::mutex log_mutex_;
};

}  // namespace pgconn::http
