// A throwaway PgBouncer in front of a PgServer for integration tests. It
// refuses to run as root, so it runs as `postgres`, on a private loopback
// port, with its config, logs and socket in a temporary folder.
//   users: postgres (admin_users), stats (stats_users), nobody (no console rights)
//   database: appdb -> the PgServer's postgres database
#pragma once

#include <string>

#include "pg_server.h"

namespace pgtest {

struct PgBouncerOptions {
  std::string pool_mode = "session";
  int pool_size = 2;
  int reserve_pool = 0;
  int max_client_conn = 20;
};

class PgBouncer {
 public:
  PgBouncer(const PgServer& server, PgBouncerOptions options = {});
  ~PgBouncer();
  PgBouncer(const PgBouncer&) = delete;
  PgBouncer& operator=(const PgBouncer&) = delete;

  int port() const { return port_; }
  // The admin console as a postgresql:// URL.
  std::string console_url(const std::string& user = "postgres") const;
  // A client connection to appdb through the pooler (key=value conninfo).
  std::string conninfo(const std::string& user = "postgres") const;

  void start();
  void stop();

 private:
  std::string dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace pgtest
