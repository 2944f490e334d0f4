// The exporter's web server: the front (front.h) serving the routes
// (routes.h), over HTTPS when the configuration has [web.tls]. SIGHUP
// reloads users, limits and the certificate. Beside the front, one thread
// compresses each publication's text for gzip scrapes (Routes::prepare_gzip),
// so that a scrape after a poll does not pay for it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <openssl/types.h>

#include "config/config.h"
#include "http/front.h"
#include "http/rejections.h"
#include "http/routes.h"

namespace pgconn {

namespace app {
class App;
}

namespace web {
class TlsCredentials;
}

namespace http {

class Server {
 public:
  explicit Server(app::App& app);
  ~Server();
  // Loads the TLS certificate and binds "host:port"; false with a reason.
  bool bind(const std::string& listen_address, std::string* error);
  void serve();  // blocks until stop()
  void stop();

 private:
  void reload(const config::Config& config);
  void prepare_until_stopped();

  app::App& app_;
  std::optional<config::TlsSettings> tls_settings_;  // as at start: HTTP <-> HTTPS needs a restart
  std::unique_ptr<web::TlsCredentials> tls_;
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ssl_context_;
  std::string listen_address_;  // as configured at start (a --web.listen-address flag included)
  Rejections rejections_;
  Routes routes_;
  std::unique_ptr<Front> front_;  // made by bind()
  std::atomic<bool> serving_{false};
};

}  // namespace http
}  // namespace pgconn
