#include "http/rejections.h"

#include "text/format.h"
#include "log/log.h"

namespace pgconn::http {

void Rejections::record(std::string_view reason, int status, const std::string& remote, std::string_view path) {
  size_t i = 0;
  while (i < kReasons.size() && reason != kReasons[i]) ++i;
  if (i == kReasons.size()) return;
  Reason& r = reasons_[i];
  r.count.fetch_add(1, std::memory_order_relaxed);

  auto now = std::chrono::steady_clock::now();
  uint64_t unlogged;
  {
    std::lock_guard<std::mutex> lock(log_mutex_);
    if (r.logged && now - r.last_logged < kLogInterval) {
      ++r.unlogged;
      return;
    }
    r.logged = true;
    r.last_logged = now;
    unlogged = r.unlogged;
    r.unlogged = 0;
  }
  log::Fields fields{{"status", status ? std::to_string(status) : "none"}, {"reason", std::string(reason)},
                     {"remote", remote}};
  if (!path.empty()) fields.emplace_back("path", text::printable(path.substr(0, 200)));
  if (unlogged > 0) fields.emplace_back("not_logged_since_last", std::to_string(unlogged));
  log::info("request rejected", fields);
}

std::vector<std::pair<std::string, uint64_t>> Rejections::counts() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (size_t i = 0; i < kReasons.size(); ++i) {
    out.emplace_back(kReasons[i], reasons_[i].count.load(std::memory_order_relaxed));
  }
  return out;
}

}  // namespace pgconn::http
