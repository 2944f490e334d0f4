// Runs the real exporter for the security tests: HTTPS and basic auth, so
// readiness is "the port accepts connections" rather than a plain GET
// /health, and stdout and stderr are kept apart for the secret checks.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "temp_dir.h"

namespace pgtest {

// A self-signed certificate for 127.0.0.1 and localhost, made with the
// openssl CLI: DIR/NAME.crt and DIR/NAME.key, subject CN=NAME.
void make_certificate(const TempDir& dir, const std::string& name);

// crypt(3) bcrypt hash of `password` at cost 4 (fast tests).
std::string bcrypt_hash(const std::string& password);

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

class SecureExporter {
 public:
  // `config_toml` ("" for none: the DSN then comes from `env`) may use
  // {{DIR}} for the temporary directory the exporter's files live in.
  explicit SecureExporter(const std::string& config_toml, std::vector<std::string> env = {},
                          std::vector<std::string> args = {"--log.level=debug"});
  ~SecureExporter();
  SecureExporter(const SecureExporter&) = delete;
  SecureExporter& operator=(const SecureExporter&) = delete;

  // Calls over HTTPS (verifying against `ca_file`) once use_tls() was called.
  void use_tls(const std::string& ca_file) { ca_file_ = ca_file; }
  Reply call(const Call& call) const;
  void rewrite_config(const std::string& config_toml) const;
  void signal(int sig) const;
  int wait_exit(int timeout_ms);
  std::string out() const;  // stdout so far
  std::string err() const;  // stderr so far: the logs
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string ca_file_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace pgtest
