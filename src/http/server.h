// HTTP routes only: every handler asks the App for a view and hands it to a
// renderer. Nothing here touches a database. Security (TLS, basic auth,
// limits) is set up here and enforced before routing by RequestGuard.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "config/config.h"
#include "http/guard.h"

namespace httplib {
class Server;
}

namespace pgconn {

class App;

namespace web {
class TlsCredentials;
}

class HttpServer {
 public:
  // Serves HTTPS when the configuration has [web.tls], plain HTTP otherwise.
  explicit HttpServer(App& app);
  ~HttpServer();
  // Loads the TLS certificate and binds "host:port"; false with a reason when
  // either fails.
  bool bind(const std::string& listen_address, std::string* error);
  void serve();  // blocks until stop()
  void stop();

 private:
  // After a successful SIGHUP reload: users, connection limit, certificate.
  void reload(const config::Config& config);

  App& app_;
  std::optional<config::TlsSettings> tls_settings_;  // as at start: HTTP <-> HTTPS needs a restart
  std::unique_ptr<web::TlsCredentials> tls_;
  RequestGuard guard_;
  std::atomic<size_t> connection_limit_;
  std::unique_ptr<httplib::Server> server_;
  int listen_socket_ = -1;
};

}  // namespace pgconn
