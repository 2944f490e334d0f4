// The running exporter: the active configuration, its poller and what the
// poller published. HTTP handlers read views from here; SIGHUP calls reload().
#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "poller/poller.h"
#include "poller/snapshot_store.h"
#include "model/assessment.h"
#include "model/exporter_info.h"

namespace pgconn::app {

class App {
 public:
  // `listen_address_flag`: --web.listen-address, which overrides the file's
  // listen_address at start and at every reload.
  App(config::Config config, std::string config_path, std::string version,
      std::optional<std::string> listen_address_flag = std::nullopt);
  void start();
  void stop();
  // Re-reads the config file; on any error keeps the running configuration.
  bool reload();
  // Runs after each successful reload, outside the lock (the HTTP server
  // re-reads its certificate and users there). Set it before any reload().
  void on_reload(std::function<void(const config::Config&)> hook) { reload_hook_ = std::move(hook); }

  // A consistent view for one request: the config it was rendered with is
  // kept alive by the returned pointer.
  struct View {
    std::shared_ptr<const config::Config> config;
    std::vector<model::Published> targets;  // in the configuration's order
    model::ExporterInfo info;
  };
  View view() const;
  // The families of `target`'s own connection pool, collected now (they
  // change with its polls); empty for a pgbouncer target. Collected outside
  // the lock, which scrapes and health checks share. Without [metrics]
  // exporter_pool_histograms, its histograms are left out.
  std::vector<prometheus::MetricFamily> pool_families(const std::string& target) const;
  // See poller::SnapshotStore::wait_for_publication.
  uint64_t wait_for_publication(uint64_t seen, std::chrono::milliseconds timeout) const {
    return store_.wait_for_publication(seen, timeout);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const config::Config> config_;
  std::string config_path_;
  std::optional<std::string> listen_address_flag_;
  model::ExporterInfo info_;
  poller::SnapshotStore store_;
  std::unique_ptr<poller::Poller> poller_;
  std::function<void(const config::Config&)> reload_hook_;
};

}  // namespace pgconn::app
