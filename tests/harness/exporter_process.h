// Runs the real pgconn_exporter binary as a child process for integration
// tests: writes its config, waits until it serves, scrapes it over loopback.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgtest {

// Predicates for ExporterProcess::wait_for.
inline bool is_one(double v) { return v == 1; }
inline bool is_zero(double v) { return v == 0; }
inline bool positive(double v) { return v > 0; }

struct HttpResult {
  int status = 0;
  std::string body;
};

class ExporterProcess {
 public:
  // `config_toml` may use {{LISTEN}} for the address it will serve on; it
  // then sets the address itself, else --web.listen-address does.
  // Extra environment entries are "NAME=value".
  explicit ExporterProcess(const std::string& config_toml, std::vector<std::string> extra_args = {},
                           std::vector<std::string> extra_env = {});
  ~ExporterProcess();
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  HttpResult get(const std::string& path) const;
  // The value of one sample, e.g. metric("pgconn_up", {{"target","main"}}).
  std::optional<double> metric(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Polls `metric` until `predicate` holds or `timeout_ms` passes.
  bool wait_for(const std::string& name, const std::map<std::string, std::string>& labels,
                const std::function<bool(double)>& predicate, int timeout_ms) const;
  void signal(int sig) const;
  // Waits for the process to exit; returns its exit status or -1 on timeout.
  int wait_exit(int timeout_ms);
  void rewrite_config(const std::string& config_toml) const;
  std::string logs() const;
  const std::string& config_path() const { return config_path_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  std::string dir_;
  std::string config_path_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Parses one sample value out of Prometheus text format.
std::optional<double> find_sample(const std::string& text, const std::string& name,
                                  const std::map<std::string, std::string>& labels);

std::string exporter_binary();

// Reaps child `pid` within timeout_ms; returns its exit status (128 + signal
// when killed) and sets pid to -1, or returns -1 on timeout.
int wait_for_exit(pid_t& pid, int timeout_ms);

}  // namespace pgtest
