#include "poller/target_poll.h"

#include <libpq-fe.h>


#include "model/clock.h"
#include "config/secret_file.h"
#include "collect/collector.h"
#include "collect/pgbouncer.h"
#include "log/log.h"

namespace pgconn::poller {
namespace {

std::string read_password_file(const std::string& path) {
  std::string reason;
  auto password = config::read_secret_file(path, &reason);
  if (!password) throw pg::Error(pg::ErrorKind::auth, "", "password_file " + path + ": " + reason);
  return *password;
}

model::LeakThresholds leak_thresholds(const config::Thresholds& t) {
  return {t.connection_age_seconds, t.idle_in_transaction_seconds};
}

// What is left of a poll's budget; a pg::Error timeout when nothing is.
std::chrono::milliseconds remaining(pg::Clock::time_point started, std::chrono::milliseconds budget) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(budget - (pg::Clock::now() - started));
  if (left.count() <= 0) throw pg::Error(pg::ErrorKind::timeout, "", "no time left for the query");
  return left;
}

}  // namespace

pg::ConnectOptions connect_options(const config::Target& target, std::chrono::milliseconds timeout,
                                   const std::string& application_name) {
  pg::ConnectOptions options;
  options.dsn = target.dsn;
  options.timeout = timeout;
  options.application_name = application_name;
  if (!target.password_file.empty()) options.password = read_password_file(target.password_file);
  return options;
}

TargetPoll::TargetPoll(config::Target target, const config::PoolSettings& settings,
                       std::chrono::milliseconds timeout, std::string application_name)
    : target_(std::move(target)), timeout_(timeout), application_name_(std::move(application_name)) {
  snapshot_.target = target_.name;
  if (target_.kind == config::TargetKind::pgbouncer) return;
  pool::PoolOptions options;
  options.name = target_.name;
  options.metric_labels = {{"target", target_.name}};
  options.pool_size = static_cast<size_t>(settings.size);
  options.max_overflow = static_cast<size_t>(settings.max_overflow);
  options.recycle = settings.recycle;
  options.timeout = timeout;
  // Called from acquire(), on the thread that polls: target_ and timeout_
  // are only changed between polls.
  options.factory = [this]() -> std::shared_ptr<pqxx::connection_base> {
    auto session = std::make_shared<pg::Session>(connect_options(target_, timeout_, application_name_));
    log::info("connected", {{"target", target_.name}, {"backend_pid", std::to_string(session->backend_pid())}});
    return session;
  };
  options.log = [name = target_.name](pool::LogLevel level, const std::string& message) {
    log::write(level == pool::LogLevel::error ? log::Level::error
               : level == pool::LogLevel::warning ? log::Level::warn
                                                  : log::Level::info,
               message, {{"target", name}});
  };
  pool_ = std::make_unique<pool::Pool>(std::move(options));
}

void TargetPoll::reconfigure(config::Target target, std::chrono::milliseconds timeout) {
  target_ = std::move(target);
  timeout_ = timeout;
}

// Checks a connection out, runs `work` on it within the timeout, and retires
// the connection when it broke (a lost connection, or a timeout that left it
// mid-query).
template <typename Work>
auto with_session(pool::Pool& pool, Work work) {
  pool::PooledConnection conn;
  try {
    conn = pool.acquire("poll");
  } catch (const pool::PoolTimeout& e) {
    throw pg::Error(pg::ErrorKind::timeout, "", e.what());
  }
  auto& session = static_cast<pg::Session&>(*conn);
  try {
    return work(session);
  } catch (const pg::Error&) {
    if (session.broken()) conn.invalidate();
    throw;
  }
}

std::vector<pg::Result> TargetPoll::query(const std::string& sql) {
  if (!pool_) throw pg::Error(pg::ErrorKind::query, "", "only PostgreSQL targets accept SQL");
  const auto started = pg::Clock::now();
  return with_session(*pool_, [&](pg::Session& session) {
    return session.query(sql, remaining(started, timeout_));
  });
}

void TargetPoll::poll_postgres(pg::Clock::time_point started) {
  auto stats = with_session(*pool_, [&](pg::Session& session) {
    return collect::collect(session, leak_thresholds(target_.thresholds), remaining(started, timeout_));
  });
  snapshot_.stats = std::make_shared<const model::ServerStats>(std::move(stats));
}

void TargetPoll::poll_pgbouncer(pg::Clock::time_point started) {
  if (!console_ || console_->broken()) {
    console_.reset();
    pg::ConnectOptions options = connect_options(target_, timeout_, application_name_);
    options.session_guards = false;
    try {
      console_ = std::make_unique<pg::ConsoleSession>(options);
    } catch (const pg::Error& e) {
      // PgBouncer answers a user without console rights with a bare "not allowed".
      if (std::string(e.what()).find("not allowed") == std::string::npos) throw;
      throw pg::Error(e.kind(), e.sqlstate(),
                      std::string(e.what()) + " (the console user must be in admin_users or stats_users)");
    }
    log::info("connected to the pgbouncer console", {{"target", target_.name}});
  }
  try {
    snapshot_.pooler = std::make_shared<const model::PoolerStats>(
        collect::collect_pgbouncer(*console_, remaining(started, timeout_)));
  } catch (const pg::Error&) {
    if (console_->broken()) console_.reset();
    throw;
  }
}

bool TargetPoll::run() {
  const auto started = pg::Clock::now();
  model::Snapshot& snap = snapshot_;
  try {
    if (target_.kind == config::TargetKind::pgbouncer) poll_pgbouncer(started);
    else poll_postgres(started);
    if (consecutive_failures_ > 0) log::info("target recovered", {{"target", target_.name}});
    snap.up = true;
    snap.last_error.reset();
    snap.last_error_message.clear();
    snap.last_success_unix = model::unix_now();
    consecutive_failures_ = 0;
  } catch (const pg::Error& e) {
    bool changed = snap.up || snap.last_error != e.kind() || consecutive_failures_ == 0;
    snap.up = false;
    snap.last_error = e.kind();
    snap.last_error_message = e.what();
    snap.poll_errors_total[e.kind()]++;
    ++consecutive_failures_;
    // Log a failure when it starts or changes reason, not on every retry.
    (changed ? log::warn : log::debug)(
        "poll failed", {{"target", target_.name}, {"reason", model::reason_label(e.kind())}, {"error", e.what()}});
  }
  snap.poll_duration_seconds = std::chrono::duration<double>(pg::Clock::now() - started).count();
  // After the collectors, so the probe's own connection never shows in the stats.
  if (target_.connect_probe) run_connect_probe();
  return snap.up;
}

void TargetPoll::run_connect_probe() {
  model::ConnectProbe probe = snapshot_.probe.value_or(model::ConnectProbe{});
  const auto started = pg::Clock::now();
  try {
    pg::ConnectOptions options = connect_options(target_, timeout_, pg::kProbeApplication);
    PQfinish(pg::connect_with_deadline(options, pg::connect_secret(options)));  // closed again right away
    probe.success = true;
    probe.last_error.reset();
  } catch (const pg::Error& e) {
    if (probe.success || probe.last_error != e.kind()) {
      log::warn("connect probe failed", {{"target", target_.name}, {"reason", model::reason_label(e.kind())},
                                         {"error", e.what()}});
    }
    probe.success = false;
    probe.last_error = e.kind();
    probe.failures_total[e.kind()]++;
  }
  probe.duration_seconds = std::chrono::duration<double>(pg::Clock::now() - started).count();
  snapshot_.probe = probe;
}

}  // namespace pgconn::poller
