#include "poller/poller.h"

#include <algorithm>
#include <random>

namespace pgconn::poller {
namespace {

// No more workers than targets, and at least one.
int worker_count(const config::Config& config) {
  return std::max(1, std::min<int>(config.poll_workers, static_cast<int>(config.targets.size())));
}

}  // namespace

Poller::Poller(const config::Config& config, SnapshotStore& store)
    : interval_(config.poll_interval), cardinality_(model::cardinality(config)), store_(store) {
  add_targets_locked(config);
  workers_ = worker_count(config);
}

void Poller::add_targets_locked(const config::Config& config) {
  std::vector<std::unique_ptr<TargetState>> previous = std::move(targets_);
  targets_.clear();
  auto now = pg::Clock::now();
  for (const auto& target : config.targets) {
    auto same_connection = [&](const std::unique_ptr<TargetState>& old) {
      if (!old) return false;
      const config::Target& was = old->poll.target();
      return was.name == target.name && was.dsn == target.dsn && was.password_file == target.password_file;
    };
    auto kept = std::find_if(previous.begin(), previous.end(), same_connection);
    if (kept != previous.end()) {
      (*kept)->poll.reconfigure(target, config.poll_timeout);
      targets_.push_back(std::move(*kept));
    } else {
      targets_.push_back(std::make_unique<TargetState>(target, config.pool, config.poll_timeout, now));
    }
    // Judged again now with the new thresholds and declarations, not at its next poll.
    publish_locked(*targets_.back());
  }
}

void Poller::publish_locked(TargetState& state) {
  store_.publish(model::publish(std::make_shared<const model::Snapshot>(state.poll.snapshot()), state.poll.target(),
                                cardinality_));
}

void Poller::reconfigure(const config::Config& config) {
  std::unique_lock<std::mutex> lock(mutex_);
  paused_ = true;
  wake_.wait(lock, [this] {
    return std::none_of(targets_.begin(), targets_.end(), [](const auto& s) { return s->in_progress; });
  });
  interval_ = config.poll_interval;
  cardinality_ = model::cardinality(config);
  add_targets_locked(config);
  for (int wanted = worker_count(config); workers_ < wanted; ++workers_) threads_.emplace_back([this] { worker(); });
  paused_ = false;
  wake_.notify_all();
}

Poller::~Poller() { stop(); }

void Poller::start() {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { worker(); });
}

void Poller::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  targets_.clear();  // closes every session
}

std::vector<std::pair<std::string, std::shared_ptr<prometheus::Collectable>>> Poller::pool_metrics() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<std::string, std::shared_ptr<prometheus::Collectable>>> out;
  for (const auto& state : targets_) {
    if (auto metrics = state->poll.pool_metrics()) out.emplace_back(state->poll.target().name, std::move(metrics));
  }
  return out;
}

Poller::TargetState* Poller::next_due_locked() {
  TargetState* earliest = nullptr;
  for (auto& state : targets_) {
    if (state->in_progress) continue;
    if (!earliest || state->next_due < earliest->next_due) earliest = state.get();
  }
  return earliest;
}

void Poller::worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (paused_) {
      wake_.wait(lock);
      continue;
    }
    TargetState* state = next_due_locked();
    if (!state) {
      wake_.wait(lock);
      continue;
    }
    // A copy: a reload may destroy the target while this worker waits.
    const pg::Clock::time_point due = state->next_due;
    if (due > pg::Clock::now()) {
      wake_.wait_until(lock, due);
      continue;
    }
    state->in_progress = true;
    auto interval = interval_;
    lock.unlock();
    poll(*state, interval);
    lock.lock();
    state->in_progress = false;
    wake_.notify_all();
  }
}

// Capped exponential backoff with jitter: quick retries after a blip, never
// longer than one poll interval so recovery shows within two intervals.
std::chrono::milliseconds retry_delay(int consecutive_failures, std::chrono::milliseconds interval) {
  thread_local std::mt19937 rng{std::random_device{}()};
  double base = 250.0 * static_cast<double>(1 << std::min(consecutive_failures - 1, 16));
  double capped = std::min(base, static_cast<double>(interval.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(capped * jitter(rng)));
}

void Poller::poll(TargetState& state, std::chrono::milliseconds interval) {
  const auto started = pg::Clock::now();
  bool ok = state.poll.run();
  model::Cardinality cardinality;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cardinality = cardinality_;
  }
  // The target itself changes only while no poll runs (reconfigure waits).
  store_.publish(model::publish(std::make_shared<const model::Snapshot>(state.poll.snapshot()), state.poll.target(),
                                cardinality));
  state.next_due = ok ? started + interval
                      : pg::Clock::now() + retry_delay(state.poll.consecutive_failures(), interval);
}

}  // namespace pgconn::poller
