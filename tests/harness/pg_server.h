// A throwaway PostgreSQL 15 server for integration tests.
//
// Each PgServer gets its own data directory, a private loopback port and a
// private socket directory; the destructor stops it and removes everything.
// initdb refuses to run as root, so when the tests run as root the server
// processes run as the `postgres` user (runuser).
#pragma once

#include <string>
#include <vector>

namespace pgtest {

struct PgServerOptions {
  int max_connections = 20;
  int superuser_reserved_connections = 3;
  // Extra postgresql.conf lines, e.g. "track_activities = off".
  std::vector<std::string> extra_conf;
  bool start = true;
};

class PgServer {
 public:
  explicit PgServer(PgServerOptions options = {});
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  const std::string& socket_dir() const { return dir_; }
  // postgresql:// URL over TCP on 127.0.0.1.
  std::string url(const std::string& user = "postgres",
                  const std::string& database = "postgres",
                  const std::string& password = "") const;
  // key=value conninfo over TCP on 127.0.0.1.
  std::string conninfo(const std::string& user = "postgres",
                       const std::string& database = "postgres") const;

  void start();
  // mode: "smart", "fast" or "immediate".
  void stop(const std::string& mode = "fast");
  void restart(const std::string& mode = "fast");
  // Freeze / thaw the postmaster and every backend (simulates a hung server).
  void freeze();
  void thaw();
  int postmaster_pid() const;

  // Runs SQL through psql as the superuser and returns stdout (rows
  // separated by newlines, columns by '|'). Throws on failure.
  std::string psql(const std::string& sql, const std::string& database = "postgres") const;

 private:
  void run_as_postgres(const std::string& command) const;
  void signal_all(int sig);

  PgServerOptions options_;
  std::string dir_;
  std::string data_dir_;
  int port_ = 0;
  bool running_ = false;
};

// A free TCP port on 127.0.0.1 (bound then released).
int free_loopback_port();

// A socket connected to 127.0.0.1:port (the caller closes it), or -1.
int connect_loopback(int port);

// Runs a shell command, returns its stdout; throws if it exits non-zero.
std::string run_command(const std::string& command);

struct CommandResult {
  int status = -1;     // the exit status, 128 + signal when killed
  std::string output;  // stdout and stderr
};
// Runs a shell command (stdin from /dev/null) and returns its status and output.
CommandResult run_status(const std::string& command);

}  // namespace pgtest
