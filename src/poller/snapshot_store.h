// The latest snapshot per target, shared between poller threads (writers)
// and HTTP handlers (readers). Readers copy shared pointers and never wait
// for a poll: a scrape costs no database work.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "snapshot.h"

namespace pgconn {

class SnapshotStore {
 public:
  void publish(SnapshotPtr snapshot) {
    std::lock_guard<std::mutex> lock(mutex_);
    latest_[snapshot->target] = std::move(snapshot);
  }
  SnapshotPtr get(const std::string& target) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = latest_.find(target);
    return it == latest_.end() ? nullptr : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, SnapshotPtr> latest_;
};

}  // namespace pgconn
