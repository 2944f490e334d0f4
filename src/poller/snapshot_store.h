// The latest published snapshot and assessment per target, shared between
// poller threads (writers) and HTTP handlers (readers). Readers copy shared
// pointers and never wait for a poll: a scrape costs no database work.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "model/assessment.h"

namespace pgconn::poller {

class SnapshotStore {
 public:
  void publish(model::Published published) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      latest_[published.snapshot->target] = std::move(published);
      ++publications_;
    }
    published_.notify_all();
  }
  // How many publications there have been, once that differs from `seen`
  // or `timeout` has passed: whoever prepares output ahead of the scrapes
  // (http/server.h) waits here.
  uint64_t wait_for_publication(uint64_t seen, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    published_.wait_for(lock, timeout, [&] { return publications_ != seen; });
    return publications_;
  }
  // Empty (null pointers) for a name never published.
  model::Published get(const std::string& target) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = latest_.find(target);
    return it == latest_.end() ? model::Published{} : it->second;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable published_;
  std::map<std::string, model::Published> latest_;
  uint64_t publications_ = 0;
};

}  // namespace pgconn::poller
