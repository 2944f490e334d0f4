// Runs the real pgconn_exporter binary as a child process for integration
// tests: writes its config, waits until it serves, and calls it over
// loopback (plain HTTP or HTTPS, with or without basic auth). The one
// launcher of every test.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace pgtest {

// Predicates for ExporterProcess::wait_for.
inline bool is_one(double v) { return v == 1; }
inline bool is_zero(double v) { return v == 0; }
inline bool positive(double v) { return v > 0; }

struct HttpResult {
  int status = 0;
  std::string body;
};

// One request for ExporterProcess::call.
struct Call {
  Call(std::string method = "GET", std::string path = "/health", httplib::Headers headers = {}, std::string body = "",
       std::string user = "", std::string password = "")
      : method(std::move(method)), path(std::move(path)), headers(std::move(headers)), body(std::move(body)),
        user(std::move(user)), password(std::move(password)) {}
  std::string method, path;
  httplib::Headers headers;
  std::string body;
  std::string user, password;  // basic auth when user is set
};

struct Reply {
  int status = 0;  // 0: no HTTP response at all
  std::string body;
  httplib::Headers headers;
  std::string header(const std::string& name) const;
};

struct ExporterOptions {
  std::vector<std::string> args;  // extra flags
  // "NAME=value" entries; the exporter gets the test's environment without
  // any DATABASE_URL*/PGCONN_DSN* plus these.
  std::vector<std::string> env;
  // Ready once /health answers 200 (its targets up), or, when false, once
  // the port accepts connections: for HTTPS, basic auth or failing targets.
  bool wait_for_health = true;
};

// Options for an exporter that is ready once its port accepts: HTTPS, basic
// auth, or targets that are down. Debug logs, for the tests that read them.
inline ExporterOptions when_accepting(std::vector<std::string> args = {"--log.level=debug"},
                                      std::vector<std::string> env = {}) {
  return {std::move(args), std::move(env), false};
}

class ExporterProcess {
 public:
  // `config_toml` may use {{LISTEN}} for the address it will serve on (it
  // then sets the address itself, else --web.listen-address does) and
  // {{DIR}} for its private directory; "" runs it without a config file
  // (the DSN then comes from the environment).
  explicit ExporterProcess(const std::string& config_toml, ExporterOptions options = {});
  ~ExporterProcess();
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  // A plain-HTTP GET.
  HttpResult get(const std::string& path) const;
  // Calls over HTTPS (verifying against `ca_file`) once use_tls() was called.
  void use_tls(const std::string& ca_file) { ca_file_ = ca_file; }
  Reply call(const Call& call) const;
  // The value of one sample, e.g. metric("pgconn_up", {{"target","main"}}).
  std::optional<double> metric(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Polls `metric` until `predicate` holds or `timeout_ms` passes.
  bool wait_for(const std::string& name, const std::map<std::string, std::string>& labels,
                const std::function<bool(double)>& predicate, int timeout_ms) const;
  void signal(int sig) const;
  // Waits for the process to exit; returns its exit status or -1 on timeout.
  int wait_exit(int timeout_ms);
  void rewrite_config(const std::string& config_toml) const;
  std::string out() const;   // stdout so far
  std::string err() const;   // stderr so far: the logs
  std::string logs() const;  // both
  const std::string& config_path() const { return config_path_; }
  const TempDir& dir() const { return dir_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  std::string config_path_;
  std::string ca_file_;
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
