#include "app/app.h"

#include <algorithm>

#include "log/log.h"
#include "model/clock.h"

namespace pgconn::app {

App::App(config::Config config, std::string config_path, std::string version,
         std::optional<std::string> listen_address_flag)
    : config_path_(std::move(config_path)), listen_address_flag_(std::move(listen_address_flag)) {
  if (listen_address_flag_) config.listen_address = *listen_address_flag_;
  config_ = std::make_shared<const config::Config>(std::move(config));
  info_.version = std::move(version);
  info_.last_reload_successful = true;
  info_.last_reload_unix = model::unix_now();
  // Publishes every target as not polled yet, so views always have one.
  poller_ = std::make_unique<poller::Poller>(*config_, store_);
}

void App::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  poller_->start();
}

void App::stop() {
  std::unique_ptr<poller::Poller> poller;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    poller = std::move(poller_);
  }
  if (poller) poller->stop();
}

bool App::reload() {
  if (config_path_.empty()) {
    log::info("reload requested; configuration comes from the environment, nothing to re-read");
    return true;
  }
  std::shared_ptr<const config::Config> fresh;
  try {
    config::Config loaded = config::load(config_path_);
    if (listen_address_flag_) loaded.listen_address = *listen_address_flag_;
    fresh = std::make_shared<const config::Config>(std::move(loaded));
  } catch (const config::ConfigError& e) {
    log::error("configuration reload rejected; keeping the running configuration", {{"error", e.what()}});
    std::lock_guard<std::mutex> lock(mutex_);
    info_.last_reload_successful = false;
    return false;
  }
  // Not under mutex_: reconfigure waits for polls in flight, and scrapes
  // (which take mutex_) must not wait for a poll.
  poller_->reconfigure(*fresh);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    config_ = fresh;
    info_.last_reload_successful = true;
    info_.last_reload_unix = model::unix_now();
  }
  log::info("configuration reloaded", {{"targets", std::to_string(fresh->targets.size())}});
  if (reload_hook_) reload_hook_(*fresh);
  return true;
}

App::View App::view() const {
  std::lock_guard<std::mutex> lock(mutex_);
  View v{config_, {}, info_};
  for (const auto& target : config_->targets) v.targets.push_back(store_.get(target.name));
  return v;
}

std::vector<prometheus::MetricFamily> App::pool_families(const std::string& target) const {
  std::shared_ptr<prometheus::Collectable> pool;
  bool histograms = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!poller_) return {};
    histograms = config_->exporter_pool_histograms;
    for (auto& [name, metrics] : poller_->pool_metrics()) {
      if (name == target) pool = metrics;
    }
  }
  if (!pool) return {};
  std::vector<prometheus::MetricFamily> families = pool->Collect();
  if (!histograms) {
    // Timings of the exporter's own queries, not of the user's database.
    auto is_histogram = [](const prometheus::MetricFamily& f) { return f.type == prometheus::MetricType::Histogram; };
    families.erase(std::remove_if(families.begin(), families.end(), is_histogram), families.end());
  }
  return families;
}

}  // namespace pgconn::app
