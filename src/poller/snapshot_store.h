// The latest published snapshot and assessment per target, shared between
// poller threads (writers) and HTTP handlers (readers). Readers copy shared
// pointers and never wait for a poll: a scrape costs no database work.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "model/assessment.h"

namespace pgconn::poller {

class SnapshotStore {
 public:
  void publish(model::Published published) {
    std::lock_guard<std::mutex> lock(mutex_);
    latest_[published.snapshot->target] = std::move(published);
  }
  // Empty (null pointers) for a name never published.
  model::Published get(const std::string& target) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = latest_.find(target);
    return it == latest_.end() ? model::Published{} : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, model::Published> latest_;
};

}  // namespace pgconn::poller
