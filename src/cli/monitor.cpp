// `monitor`: polls the selected targets every interval with the daemon's
// TargetPoll and redraws render_frame() in place until q or Ctrl-C.
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/monitor_frame.h"
#include "cli/targets.h"
#include "cli/terminal.h"
#include "model/clock.h"
#include "poller/target_poll.h"

namespace pgconn::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_quit = 0;
volatile std::sig_atomic_t g_resized = 0;

void on_quit(int) { g_quit = 1; }
void on_resize(int) { g_resized = 1; }

// Without SA_RESTART, so a signal wakes poll() at once. Ctrl-C reaches us
// as a signal only when stdin is not a terminal (raw mode turns it into a byte).
void install_signal_handlers() {
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = on_quit;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
  action.sa_handler = on_resize;
  sigaction(SIGWINCH, &action, nullptr);
}

std::string header(config::Duration interval, bool keys, bool by_address) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &local));
  return "pgconn_exporter monitor  every " + config::format_duration(interval) + "  " + when +
         (keys ? by_address ? "  (q quits)  a: by application" : "  (q quits)  a: by address" : "");
}

class Monitor {
 public:
  Monitor(const std::vector<config::Target>& targets, const config::Config& config, config::Duration interval)
      : config_(config), interval_(interval) {
    for (const auto& target : targets) {
      polls_.push_back(
          std::make_unique<poller::TargetPoll>(target, config.pool, config.poll_timeout, pg::kMonitorApplication));
    }
  }

  // One poll per target, each assessed once as the daemon would.
  void poll_all() {
    published_.clear();
    for (auto& poll : polls_) {
      if (g_quit) return;
      poll->run();
      published_.push_back(model::publish(std::make_shared<const model::Snapshot>(poll->snapshot()), poll->target(),
                                          model::cardinality(config_)));
    }
  }

  // In place on a terminal: home, each line cleared to its end, the rest of
  // the screen cleared, and no newline after the last line (on the bottom
  // row it would scroll the header away). Elsewhere, plain text frames.
  void draw(bool in_place, bool color, bool keys, bool by_address) const {
    TerminalSize size = terminal_size(STDOUT_FILENO);
    FrameOptions options;
    options.columns = size.columns;
    options.rows = size.rows;
    options.color = color;
    options.header = header(interval_, keys, by_address);
    options.now_unix = model::unix_now();
    options.by_address = by_address;

    std::string out;
    for (const auto& line : render_frame(published_, options)) {
      if (in_place) out += (out.empty() ? "\x1b[H" : "\r\n") + line + "\x1b[K";
      else out += line + "\n";
    }
    if (in_place) out += "\x1b[J";
    std::cout << out << std::flush;
  }

 private:
  const config::Config& config_;
  config::Duration interval_;
  // Not moved once built: a TargetPoll's pool refers back to it.
  std::vector<std::unique_ptr<poller::TargetPoll>> polls_;
  std::vector<model::Published> published_;
};

// Waits until `deadline` for keys on stdin. Returns true when the window
// was resized or the view switched (redraw now), false at the deadline or
// when asked to quit.
bool wait_for_keys(bool& watch_stdin, bool& by_address, SteadyClock::time_point deadline) {
  while (!g_quit) {
    if (g_resized) {
      g_resized = 0;
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) return false;
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    if (::poll(&fd, watch_stdin ? 1 : 0, static_cast<int>(left)) <= 0) continue;  // deadline or signal
    char keys[64];
    ssize_t n = read(STDIN_FILENO, keys, sizeof keys);
    // End of input (stdin is /dev/null or a closed pipe): just wait out the interval.
    if (n <= 0) watch_stdin = false;
    bool switched = false;
    for (ssize_t i = 0; i < n; ++i) {
      if (keys[i] == 'q' || keys[i] == 'Q' || keys[i] == '\x03') g_quit = 1;
      if (keys[i] == 'a' || keys[i] == 'A') {
        by_address = !by_address;
        switched = true;
      }
    }
    if (switched && !g_quit) return true;
  }
  return false;
}

}  // namespace

int monitor(const Flags& flags, const config::Config& config) {
  std::vector<config::Target> targets;
  config::Duration interval{2000};
  bool by_address = false;
  try {
    targets = selected_targets(flags, config);
    if (auto text = flags.option("interval")) {
      auto parsed = config::parse_duration(*text);
      if (!parsed || parsed->count() <= 0) throw UsageError("--interval needs a duration such as 2s or 500ms");
      interval = *parsed;
    }
    if (auto by = flags.option("by")) {
      if (*by != "application" && *by != "address") throw UsageError("--by must be application or address");
      by_address = *by == "address";
    }
  } catch (const UsageError& e) {
    std::cerr << "pgconn_exporter: " << e.what() << "\n";
    return 2;
  }
  Monitor monitor(targets, config, interval);
  bool tty = isatty(STDOUT_FILENO);
  if (flags.options.count("once")) {
    monitor.poll_all();
    monitor.draw(false, tty, false, by_address);
    return 0;
  }
  install_signal_handlers();
  bool keys = isatty(STDIN_FILENO);
  RawInput raw(STDIN_FILENO);
  AlternateScreen screen(tty);
  bool watch_stdin = true;
  while (!g_quit) {
    auto next = SteadyClock::now() + interval;
    monitor.poll_all();
    if (g_quit) break;
    monitor.draw(tty, tty, keys, by_address);
    while (wait_for_keys(watch_stdin, by_address, next)) monitor.draw(tty, tty, keys, by_address);
    if (!tty && !g_quit) std::cout << "\n";
  }
  return 0;
}

}  // namespace pgconn::cli
