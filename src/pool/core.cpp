#include "pool/core.h"

#include <algorithm>
#include <cstdio>
#include <pqxx/connection>
#include <stdexcept>

namespace pgconn::pool::detail {
namespace {

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void log_to_stderr(LogLevel level, const std::string& message) {
  static const char* const kNames[] = {"info", "warning", "error"};
  std::fprintf(stderr, "pgconn_pool %s: %s\n", kNames[static_cast<int>(level)], message.c_str());
}

PoolOptions validated(PoolOptions o) {
  if (o.pool_size + o.max_overflow == 0) {
    throw std::invalid_argument("pool_size + max_overflow must be at least 1");
  }
  if (o.timeout.count() < 0 || o.recycle.count() < 0 || o.pre_ping_timeout.count() <= 0 ||
      o.pre_ping_idle_threshold.count() < 0 || o.reset_timeout.count() <= 0 ||
      o.leak_threshold.count() < 0 || o.reaper_interval.count() <= 0) {
    throw std::invalid_argument("pool durations must not be negative (and timeouts positive)");
  }
  if (!(o.recycle_jitter >= 0.0 && o.recycle_jitter < 1.0)) {
    throw std::invalid_argument("recycle_jitter must be in [0, 1)");
  }
  if (o.metric_labels.count("pool") != 0) {
    throw std::invalid_argument("metric_labels must not contain `pool`; set name instead");
  }
  if (!o.factory) {
    o.factory = [conninfo = o.conninfo] { return std::make_shared<pqxx::connection>(conninfo); };
  }
  if (!o.log) o.log = log_to_stderr;
  return o;
}

std::string describe(const Slot& slot) {
  std::string text = "#" + std::to_string(slot.generation);
  if (!slot.tag.empty()) text += " (tag '" + slot.tag + "')";
  return text;
}

}  // namespace

PoolCore::PoolCore(PoolOptions options, std::unique_ptr<ConnectionOps> ops)
    : options_(validated(std::move(options))),
      max_(options_.pool_size + options_.max_overflow),
      ops_(std::move(ops)),
      rng_(std::random_device{}()),
      acquire_duration_({0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60}),
      use_duration_({0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800}),
      connect_duration_({0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}) {
  if (options_.recycle.count() > 0 || options_.leak_threshold.count() > 0) {
    reaper_ = std::thread([this] { reap(); });
  }
}

PoolCore::~PoolCore() { close(); }

Slot* PoolCore::acquire(const std::string& tag) {
  const auto start = Clock::now();
  const auto deadline = start + options_.timeout;
  Retired retired;  // declared before the lock, so closed after it is released
  std::unique_lock<std::mutex> lock(mu_);
  wait_for_turn(lock, start, deadline);
  auto now = Clock::now();
  std::unique_ptr<Slot> slot = take_idle_locked(now, retired);
  if (!slot) {
    ++opening_;
    lock.unlock();
    retired.clear();
    return open_reserved(tag, start);
  }
  Slot* raw = slot.get();
  raw->tag = tag;
  raw->checked_out_at = now;
  raw->leak_reported = false;
  in_use_.emplace(raw, std::move(slot));
  if (!options_.pre_ping || now - raw->last_used_at < options_.pre_ping_idle_threshold) {
    ++acquires_ok_;
    observe_acquire_locked(start, now);
    return raw;
  }

  lock.unlock();
  retired.clear();
  std::string error;
  bool alive = false;
  try {
    alive = ops_->ping(*raw->conn, options_.pre_ping_timeout, error);
  } catch (const std::exception& e) {  // a throwing ping is a failed ping
    error = e.what();
  }
  lock.lock();
  now = Clock::now();
  if (alive) {
    ++pre_pings_ok_;
    ++acquires_ok_;
    observe_acquire_locked(start, now);
    return raw;
  }
  ++pre_pings_failed_;
  Messages messages;
  messages.emplace_back(LogLevel::warning, "pool '" + options_.name + "': connection " +
                                               describe(*raw) + " failed its pre-ping: " + error);
  auto node = in_use_.extract(raw);
  invalidate_older_locked(raw->generation, retired, messages);
  retire_locked(std::move(node.mapped()), CloseReason::pre_ping_failed, retired);
  if (closed_) {
    ++acquires_error_;
    observe_acquire_locked(start, now);
    throw PoolError("pool '" + options_.name + "' is closed");
  }
  // Reconnect in the failed connection's place, which keeps the cap and
  // spares this caller a second trip through the queue.
  ++opening_;
  lock.unlock();
  retired.clear();
  log(messages);
  return open_reserved(tag, start);
}

void PoolCore::wait_for_turn(std::unique_lock<std::mutex>& lock, Clock::time_point start,
                             Clock::time_point deadline) {
  auto fail_closed = [&] {
    ++acquires_error_;
    observe_acquire_locked(start, Clock::now());
    throw PoolError("pool '" + options_.name + "' is closed");
  };
  if (closed_) fail_closed();
  if (waiters_.empty() && capacity_locked()) return;
  // First come, first served: a newcomer never overtakes a waiter.
  auto me = waiters_.emplace(waiters_.end(), start);
  auto ready = [&] { return closed_ || (me == waiters_.begin() && capacity_locked()); };
  while (!ready()) {
    if (me->cv.wait_until(lock, deadline) == std::cv_status::timeout && !ready()) {
      waiters_.erase(me);
      wake_front_locked();
      ++acquires_timeout_;
      const auto now = Clock::now();
      observe_acquire_locked(start, now);
      throw PoolTimeout(options_.name,
                        std::chrono::duration_cast<std::chrono::milliseconds>(now - start),
                        idle_.size() + in_use_.size() + opening_, max_, in_use_.size(),
                        idle_.size(), opening_, waiters_.size());
    }
  }
  waiters_.erase(me);
  wake_front_locked();  // there may be enough left for the next one too
  if (closed_) fail_closed();
}

std::unique_ptr<Slot> PoolCore::take_idle_locked(Clock::time_point now, Retired& retired) {
  while (!idle_.empty()) {
    std::unique_ptr<Slot> slot = std::move(idle_.back());
    idle_.pop_back();
    if (slot->expires_at > now) return slot;
    retire_locked(std::move(slot), CloseReason::recycle, retired);
  }
  return nullptr;
}

Slot* PoolCore::open_reserved(const std::string& tag, Clock::time_point start) {
  const auto connect_start = Clock::now();
  std::shared_ptr<pqxx::connection_base> conn;
  try {
    conn = options_.factory();
    if (!conn) throw PoolError("pool '" + options_.name + "': the factory returned no connection");
  } catch (...) {
    std::lock_guard<std::mutex> guard(mu_);
    --opening_;
    ++acquires_error_;
    observe_acquire_locked(start, Clock::now());
    wake_front_locked();
    throw;
  }
  // libpqxx 6.4 silently reconnects a broken connection on next use; the
  // pool must see the break instead (to invalidate) and must not lose
  // session state behind the caller's back.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop

  auto slot = std::make_unique<Slot>();
  slot->conn = std::move(conn);
  slot->tag = tag;
  Retired retired;
  std::lock_guard<std::mutex> guard(mu_);
  const auto now = Clock::now();
  --opening_;
  ++opened_;
  connect_duration_.observe(seconds(now - connect_start));
  observe_acquire_locked(start, now);
  slot->generation = next_generation_++;
  slot->last_used_at = slot->checked_out_at = now;
  slot->expires_at = expiry_locked(now);
  if (closed_) {
    ++acquires_error_;
    retire_locked(std::move(slot), CloseReason::shutdown, retired);
    throw PoolError("pool '" + options_.name + "' is closed");
  }
  ++acquires_ok_;
  Slot* raw = slot.get();
  in_use_.emplace(raw, std::move(slot));
  return raw;
}

Clock::time_point PoolCore::expiry_locked(Clock::time_point opened) {
  if (options_.recycle.count() == 0) return Clock::time_point::max();
  std::uniform_real_distribution<double> cut(0.0, options_.recycle_jitter);
  return opened + std::chrono::duration_cast<Clock::duration>(options_.recycle * (1.0 - cut(rng_)));
}

void PoolCore::release(Slot* raw, bool broken) noexcept {
  std::string error;
  ResetResult reset = ResetResult::broken;
  if (!broken) {
    try {
      reset = ops_->reset(*raw->conn, options_.reset_timeout, error);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  Retired retired;
  Messages messages;
  std::unique_lock<std::mutex> lock(mu_);
  auto node = in_use_.extract(raw);
  std::unique_ptr<Slot> slot = std::move(node.mapped());
  const auto now = Clock::now();
  use_duration_.observe(seconds(now - slot->checked_out_at));
  const std::string prefix = "pool '" + options_.name + "': connection " + describe(*slot);
  if (reset == ResetResult::broken) {
    messages.emplace_back(LogLevel::warning, prefix + " is broken" +
                                                 (error.empty() ? "" : ": " + error));
    invalidate_older_locked(slot->generation, retired, messages);
    retire_locked(std::move(slot), CloseReason::broken, retired);
  } else if (reset == ResetResult::failed) {
    messages.emplace_back(LogLevel::warning, prefix + " could not be reset: " + error);
    retire_locked(std::move(slot), CloseReason::reset_failed, retired);
  } else if (closed_) {
    retire_locked(std::move(slot), CloseReason::shutdown, retired);
  } else if (slot->generation < retire_before_) {
    retire_locked(std::move(slot), CloseReason::invalidated, retired);
  } else if (slot->expires_at <= now) {
    retire_locked(std::move(slot), CloseReason::recycle, retired);
  } else if (idle_.size() >= options_.pool_size) {
    retire_locked(std::move(slot), CloseReason::overflow, retired);
  } else {
    if (reset == ResetResult::rolled_back) {
      messages.emplace_back(LogLevel::info, prefix + " came back inside a transaction; rolled back");
    }
    slot->last_used_at = now;
    idle_.push_back(std::move(slot));
    wake_front_locked();
  }
  lock.unlock();
  log(messages);
}

void PoolCore::retire_locked(std::unique_ptr<Slot> slot, CloseReason reason, Retired& retired) {
  ++closed_by_reason_[static_cast<std::size_t>(reason)];
  retired.push_back(std::move(slot));
  wake_front_locked();  // its place can now be opened anew
}

void PoolCore::invalidate_older_locked(std::uint64_t broken_generation, Retired& retired,
                                       Messages& messages) {
  // A connection opened before the last invalidation was already retired by
  // it; letting it invalidate again would retire the fresh replacements.
  if (broken_generation < retire_before_) return;
  retire_before_ = next_generation_;
  const std::size_t idle = idle_.size();
  for (auto& slot : idle_) retire_locked(std::move(slot), CloseReason::invalidated, retired);
  idle_.clear();
  messages.emplace_back(LogLevel::warning,
                        "pool '" + options_.name + "': disconnect detected; closing " +
                            std::to_string(idle) + " idle connection(s) and " +
                            std::to_string(in_use_.size()) +
                            " in use (when returned) opened before it");
}

void PoolCore::observe_acquire_locked(Clock::time_point start, Clock::time_point now) {
  acquire_duration_.observe(seconds(now - start));
}

bool PoolCore::capacity_locked() const {
  return !idle_.empty() || idle_.size() + in_use_.size() + opening_ < max_;
}

void PoolCore::wake_front_locked() {
  if (!waiters_.empty()) waiters_.front().cv.notify_one();
}

void PoolCore::reap() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    reaper_cv_.wait_for(lock, options_.reaper_interval);
    if (closed_) break;
    const auto now = Clock::now();
    Retired retired;
    Messages messages;
    // Idle connections only: one in use is recycled when it comes back.
    auto expired = std::stable_partition(idle_.begin(), idle_.end(),
                                         [&](const auto& slot) { return slot->expires_at > now; });
    for (auto it = expired; it != idle_.end(); ++it) {
      retire_locked(std::move(*it), CloseReason::recycle, retired);
    }
    idle_.erase(expired, idle_.end());
    if (options_.leak_threshold.count() > 0) {
      for (auto& entry : in_use_) {
        Slot& slot = *entry.second;
        const auto held = now - slot.checked_out_at;
        if (slot.leak_reported || held < options_.leak_threshold) continue;
        slot.leak_reported = true;
        ++leaks_;
        messages.emplace_back(
            LogLevel::warning,
            "pool '" + options_.name + "': connection " + describe(slot) + " checked out for " +
                std::to_string(seconds(held)) + " s, longer than leak_threshold (" +
                std::to_string(options_.leak_threshold.count()) + " ms); possible leak");
      }
    }
    lock.unlock();
    retired.clear();
    log(messages);
    lock.lock();
  }
}

void PoolCore::close() noexcept {
  {
    Retired retired;
    std::lock_guard<std::mutex> guard(mu_);
    if (closed_) return;
    closed_ = true;
    for (auto& slot : idle_) retire_locked(std::move(slot), CloseReason::shutdown, retired);
    idle_.clear();
    for (auto& waiter : waiters_) waiter.cv.notify_one();
    reaper_cv_.notify_all();
  }
  if (reaper_.joinable()) reaper_.join();
}

PoolStats PoolCore::snapshot() const {
  PoolStats s;
  s.name = options_.name;
  s.pool_size = options_.pool_size;
  s.max_connections = max_;
  std::lock_guard<std::mutex> guard(mu_);
  const auto now = Clock::now();
  s.idle = idle_.size();
  s.in_use = in_use_.size();
  s.opening = opening_;
  s.pending = waiters_.size();
  s.oldest_pending_seconds = waiters_.empty() ? 0.0 : seconds(now - waiters_.front().since);
  if (options_.leak_threshold.count() > 0) {
    for (const auto& entry : in_use_) {
      if (now - entry.second->checked_out_at >= options_.leak_threshold) ++s.suspected_leaks;
    }
  }
  s.acquires_ok = acquires_ok_;
  s.acquires_timeout = acquires_timeout_;
  s.acquires_error = acquires_error_;
  s.connections_opened = opened_;
  s.connections_closed = closed_by_reason_;
  s.pre_pings_ok = pre_pings_ok_;
  s.pre_pings_failed = pre_pings_failed_;
  s.leaks_detected = leaks_;
  s.acquire_duration = acquire_duration_.snapshot();
  s.use_duration = use_duration_.snapshot();
  s.connect_duration = connect_duration_.snapshot();
  return s;
}

void PoolCore::log(const Messages& messages) const {
  for (const auto& [level, text] : messages) {
    try {
      options_.log(level, text);
    } catch (...) {
      // A failing logger must not break returning a connection.
    }
  }
}

}  // namespace pgconn::pool::detail
