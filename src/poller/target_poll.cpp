#include "poller/target_poll.h"

#include <fstream>

#include "clock.h"
#include "collect/collector.h"
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

pg::ConnectOptions connect_options(const config::Target& target, std::chrono::milliseconds timeout) {
  pg::ConnectOptions options;
  options.dsn = target.dsn;
  options.timeout = timeout;
  if (!target.password_file.empty()) options.password = read_password_file(target.password_file);
  return options;
}

TargetPoll::TargetPoll(config::Target target) : target_(std::move(target)) { snapshot_.target = target_.name; }

bool TargetPoll::run(std::chrono::milliseconds timeout) {
  const auto started = pg::Clock::now();
  Snapshot& snap = snapshot_;
  try {
    if (!session_ || session_->broken()) {
      session_.reset();
      session_ = pg::Session::connect(connect_options(target_, timeout));
      log::info("connected", {{"target", target_.name}, {"backend_pid", std::to_string(session_->backend_pid())}});
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timeout - (pg::Clock::now() - started));
    if (left.count() <= 0) throw pg::Error(pg::ErrorKind::timeout, "", "no time left for the query");
    snap.stats = std::make_shared<const ServerStats>(collect::collect(*session_, target_.thresholds, left));
    if (consecutive_failures_ > 0) log::info("target recovered", {{"target", target_.name}});
    snap.up = true;
    snap.last_error.reset();
    snap.last_error_message.clear();
    snap.last_success_unix = unix_now();
    consecutive_failures_ = 0;
  } catch (const pg::Error& e) {
    if (session_ && session_->broken()) session_.reset();
    bool changed = snap.up || snap.last_error != e.kind() || consecutive_failures_ == 0;
    snap.up = false;
    snap.last_error = e.kind();
    snap.last_error_message = e.what();
    snap.poll_errors_total[e.kind()]++;
    ++consecutive_failures_;
    // Log a failure when it starts or changes reason, not on every retry.
    (changed ? log::warn : log::debug)(
        "poll failed", {{"target", target_.name}, {"reason", pg::reason_label(e.kind())}, {"error", e.what()}});
  }
  snap.poll_duration_seconds = std::chrono::duration<double>(pg::Clock::now() - started).count();
  // After the collectors, so the probe's own connection never shows in the stats.
  if (target_.connect_probe) run_connect_probe(timeout);
  snap.polled_at_unix = unix_now();
  return snap.up;
}

void TargetPoll::run_connect_probe(std::chrono::milliseconds timeout) {
  ConnectProbe probe = snapshot_.probe.value_or(ConnectProbe{});
  const auto started = pg::Clock::now();
  try {
    pg::ConnectOptions options = connect_options(target_, timeout);
    options.application_name = "pgconn_exporter_probe";
    pg::Session::connect(options);  // closed again right away
    probe.success = true;
    probe.last_error.reset();
  } catch (const pg::Error& e) {
    if (probe.success || probe.last_error != e.kind()) {
      log::warn("connect probe failed", {{"target", target_.name}, {"reason", pg::reason_label(e.kind())},
                                         {"error", e.what()}});
    }
    probe.success = false;
    probe.last_error = e.kind();
    probe.failures_total[e.kind()]++;
  }
  probe.duration_seconds = std::chrono::duration<double>(pg::Clock::now() - started).count();
  snapshot_.probe = probe;
}

}  // namespace pgconn
