#include "poller/poller.h"

#include <algorithm>
#include <fstream>
#include <random>

#include "collect/collector.h"
#include "clock.h"
#include "log/log.h"

namespace pgconn {
namespace {

std::string read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw pg::Error(pg::ErrorKind::auth, "", "cannot read password_file " + path);
  std::string password;
  std::getline(in, password);
  return password;
}

}  // namespace

Poller::Poller(const config::Config& config, SnapshotStore& store)
    : interval_(config.poll_interval), timeout_(config.poll_timeout), store_(store) {
  add_targets_locked(config.targets);
  workers_ = std::max(1, std::min<int>(config.poll_workers, static_cast<int>(targets_.size())));
}

void Poller::add_targets_locked(const std::vector<config::Target>& targets) {
  std::vector<std::unique_ptr<TargetState>> previous = std::move(targets_);
  targets_.clear();
  auto now = pg::Clock::now();
  for (const auto& target : targets) {
    auto same_connection = [&](const std::unique_ptr<TargetState>& old) {
      return old && old->target.name == target.name && old->target.dsn == target.dsn &&
             old->target.password_file == target.password_file;
    };
    auto kept = std::find_if(previous.begin(), previous.end(), same_connection);
    if (kept != previous.end()) {
      (*kept)->target = target;
      targets_.push_back(std::move(*kept));
      continue;
    }
    auto state = std::make_unique<TargetState>();
    state->target = target;
    state->snapshot.target = target.name;
    state->next_due = now;
    targets_.push_back(std::move(state));
  }
}

void Poller::reconfigure(const config::Config& config) {
  std::unique_lock<std::mutex> lock(mutex_);
  paused_ = true;
  wake_.wait(lock, [this] {
    return std::none_of(targets_.begin(), targets_.end(), [](const auto& s) { return s->in_progress; });
  });
  interval_ = config.poll_interval;
  timeout_ = config.poll_timeout;
  add_targets_locked(config.targets);
  int wanted = std::max(1, std::min<int>(config.poll_workers, static_cast<int>(targets_.size())));
  for (; workers_ < wanted; ++workers_) threads_.emplace_back([this] { worker(); });
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
  for (auto& state : targets_) state->session.reset();
}

Poller::TargetState* Poller::next_due_locked(pg::Clock::time_point* wake_at) {
  TargetState* earliest = nullptr;
  for (auto& state : targets_) {
    if (state->in_progress) continue;
    if (!earliest || state->next_due < earliest->next_due) earliest = state.get();
  }
  if (earliest) *wake_at = earliest->next_due;
  return earliest;
}

void Poller::worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (paused_) {
      wake_.wait(lock);
      continue;
    }
    pg::Clock::time_point due;
    TargetState* state = next_due_locked(&due);
    if (!state) {
      wake_.wait(lock);
      continue;
    }
    if (due > pg::Clock::now()) {
      wake_.wait_until(lock, due);
      continue;
    }
    state->in_progress = true;
    auto interval = interval_;
    auto timeout = timeout_;
    lock.unlock();
    poll(*state, interval, timeout);
    lock.lock();
    state->in_progress = false;
    wake_.notify_all();
  }
}

// Capped exponential backoff with jitter: quick retries after a blip, never
// longer than one poll interval so recovery shows within two intervals.
std::chrono::milliseconds Poller::retry_delay(int consecutive_failures, std::chrono::milliseconds interval) {
  thread_local std::mt19937 rng{std::random_device{}()};
  double base = 250.0 * static_cast<double>(1 << std::min(consecutive_failures - 1, 16));
  double capped = std::min(base, static_cast<double>(interval.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(capped * jitter(rng)));
}

void Poller::poll(TargetState& state, std::chrono::milliseconds interval, std::chrono::milliseconds timeout) {
  const auto started = pg::Clock::now();
  Snapshot& snap = state.snapshot;
  try {
    if (!state.session || state.session->broken()) {
      state.session.reset();
      pg::ConnectOptions options;
      options.dsn = state.target.dsn;
      options.timeout = timeout;
      if (!state.target.password_file.empty()) options.password = read_password_file(state.target.password_file);
      state.session = pg::Session::connect(options);
      log::info("connected", {{"target", state.target.name}, {"backend_pid", std::to_string(state.session->backend_pid())}});
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeout - (pg::Clock::now() - started));
    if (left.count() <= 0) throw pg::Error(pg::ErrorKind::timeout, "", "no time left for the query");
    snap.stats = std::make_shared<const ServerStats>(collect::collect(*state.session, state.target.thresholds, left));
    if (!snap.up && state.consecutive_failures > 0) log::info("target recovered", {{"target", state.target.name}});
    snap.up = true;
    snap.last_error.reset();
    snap.last_error_message.clear();
    snap.last_success_unix = unix_now();
    state.consecutive_failures = 0;
  } catch (const pg::Error& e) {
    if (state.session && state.session->broken()) state.session.reset();
    bool changed = snap.up || snap.last_error != e.kind() || state.consecutive_failures == 0;
    snap.up = false;
    snap.last_error = e.kind();
    snap.last_error_message = e.what();
    snap.poll_errors_total[e.kind()]++;
    ++state.consecutive_failures;
    // Log a failure when it starts or changes reason, not on every retry.
    (changed ? log::warn : log::debug)("poll failed", {{"target", state.target.name},
                                                        {"reason", pg::reason_label(e.kind())},
                                                        {"error", e.what()}});
  }
  snap.poll_duration_seconds = std::chrono::duration<double>(pg::Clock::now() - started).count();
  snap.polled_at_unix = unix_now();
  store_.publish(std::make_shared<const Snapshot>(snap));
  state.next_due = state.consecutive_failures == 0 ? started + interval
                                                   : pg::Clock::now() + retry_delay(state.consecutive_failures, interval);
}

}  // namespace pgconn
